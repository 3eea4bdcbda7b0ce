import { describe, expect, it } from 'vitest';
import { credentialName, readsContent } from './content-scan';

const named = (path: string) => credentialName(path, path.slice(path.lastIndexOf('/') + 1));

describe('credentials files', () => {
  it('are told by their name or the end of their path', () => {
    expect(
      [
        '/root/.git-credentials',
        '/home/u/.netrc',
        '/var/lib/postgresql/.pgpass',
        '/root/.ssh/id_rsa',
        '/root/.ssh/id_dsa',
        '/root/.ssh/id_ecdsa',
        '/root/.ssh/id_ed25519',
        '/root/.aws/credentials',
        '/root/.docker/config.json',
        '/app/.npmrc',
        '/home/u/.pypirc',
        '/root/.kube/config',
      ].map(named),
    ).toEqual([
      'git credentials',
      'netrc credentials',
      'PostgreSQL passwords',
      'SSH private key file',
      'SSH private key file',
      'SSH private key file',
      'SSH private key file',
      'AWS credentials',
      'Docker registry config',
      'npm config',
      'PyPI credentials',
      'Kubernetes config',
    ]);
  });

  it('are not other files, nor these names in other places', () => {
    for (const path of [
      '/app/index.js',
      '/app/config',
      '/app/credentials',
      '/etc/docker/config.json',
      '/root/.ssh/id_rsa.pub',
      '/usr/share/doc/é',
      '/constructor',
      '/',
    ])
      expect(named(path)).toBeNull();
  });

  it('are read, even where small files are not and when empty', () => {
    expect(readsContent('/usr/lib/node_modules/x/.npmrc', 0)).toBe(true);
    expect(readsContent('/usr/lib/node_modules/x/index.js', 10)).toBe(false);
    expect(readsContent('/app/.env.production', 1_000_000)).toBe(true);
  });
});
