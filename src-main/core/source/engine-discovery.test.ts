// Discovery over a real folder tree standing in for $HOME: docker's config.json and contexts
// written as the docker CLI writes them (meta/<sha256(name)>/meta.json), sockets as real files.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  currentContextName,
  defaultDockerEngine,
  defaultPodmanEngine,
  discoverEngines,
  systemEnvironment,
  type DiscoveryEnvironment,
} from './engine-discovery';
import { dockerodeOptions, parseHost } from './engine-endpoint';

function home(): string {
  return mkdtempSync(join(tmpdir(), 'strata-home-'));
}

function write(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

function addContext(dir: string, name: string, host: string, extra: object = {}): void {
  const digest = createHash('sha256').update(name).digest('hex');
  write(
    join(dir, '.docker', 'contexts', 'meta', digest, 'meta.json'),
    JSON.stringify({ Name: name, Metadata: {}, Endpoints: { docker: { Host: host, ...extra } } }),
  );
}

function environment(dir: string, env: NodeJS.ProcessEnv, uid = 1000): DiscoveryEnvironment {
  return { ...systemEnvironment(env), home: dir, uid };
}

describe('engine discovery', () => {
  it('uses DOCKER_HOST first, as the docker CLI does', () => {
    const dir = home();
    addContext(dir, 'colima', 'unix:///colima.sock');
    write(join(dir, '.docker', 'config.json'), JSON.stringify({ currentContext: 'colima' }));
    const e = environment(dir, { DOCKER_HOST: 'tcp://10.0.0.5:2375' });
    expect(defaultDockerEngine(e)).toMatchObject({
      id: 'docker:tcp://10.0.0.5:2375',
      name: 'DOCKER_HOST',
      origin: 'DOCKER_HOST',
      tls: null,
    });
  });

  it('follows config.json currentContext to the context endpoint, DOCKER_CONTEXT over it', () => {
    const dir = home();
    addContext(dir, 'colima', 'unix:///Users/me/.colima/default/docker.sock');
    addContext(dir, 'remote', 'ssh://deploy@build.example.com');
    write(join(dir, '.docker', 'config.json'), JSON.stringify({ currentContext: 'colima' }));
    const e = environment(dir, {});
    expect(currentContextName(e)).toBe('colima');
    expect(defaultDockerEngine(e)).toMatchObject({
      host: 'unix:///Users/me/.colima/default/docker.sock',
      name: 'context "colima"',
      origin: 'context',
    });
    expect(defaultDockerEngine(environment(dir, { DOCKER_CONTEXT: 'remote' }))).toMatchObject({
      host: 'ssh://deploy@build.example.com',
    });
    // Every context is offered, the current first.
    expect(discoverEngines(e).map((x) => x.name)).toEqual(
      expect.arrayContaining(['context "colima"', 'context "remote"']),
    );
    expect(discoverEngines(e)[0]!.name).toBe('context "colima"');
  });

  it('reads TLS settings of a tcp context and of DOCKER_TLS_VERIFY', () => {
    const dir = home();
    addContext(dir, 'secure', 'tcp://docker.example.com:2376', { SkipTLSVerify: false });
    const digest = createHash('sha256').update('secure').digest('hex');
    const tlsDir = join(dir, '.docker', 'contexts', 'tls', digest, 'docker');
    write(join(tlsDir, 'ca.pem'), 'not really a cert');
    write(join(dir, '.docker', 'config.json'), JSON.stringify({ currentContext: 'secure' }));
    expect(defaultDockerEngine(environment(dir, {})).tls).toEqual({
      verify: true,
      certDir: tlsDir,
    });
    const fromEnv = defaultDockerEngine(
      environment(dir, {
        DOCKER_HOST: 'tcp://h:2376',
        DOCKER_TLS_VERIFY: '1',
        DOCKER_CERT_PATH: '/certs',
      }),
    );
    expect(fromEnv.tls).toEqual({ verify: true, certDir: '/certs' });
    const options = dockerodeOptions(fromEnv);
    expect(options).toMatchObject({
      host: 'h',
      port: 2376,
      protocol: 'https',
      socketPath: undefined,
    });
  });

  it('falls back to the default sockets: Docker Desktop when present, else /var/run/docker.sock', () => {
    const dir = home();
    expect(defaultDockerEngine(environment(dir, {})).host).toBe('unix:///var/run/docker.sock');
    write(join(dir, '.docker', 'run', 'docker.sock'), '');
    expect(defaultDockerEngine(environment(dir, {})).host).toBe(
      `unix://${join(dir, '.docker', 'run', 'docker.sock')}`,
    );
  });

  it('ignores a broken config.json or meta.json', () => {
    const dir = home();
    write(join(dir, '.docker', 'config.json'), '{not json');
    expect(currentContextName(environment(dir, {}))).toBeNull();
    write(join(dir, '.docker', 'config.json'), JSON.stringify({ currentContext: 'gone' }));
    expect(defaultDockerEngine(environment(dir, {})).origin).toBe('default-socket');
  });

  it('finds Podman: CONTAINER_HOST, else the rootless socket for a user, the rootful one for root', () => {
    const dir = home();
    const runtime = join(dir, 'run');
    write(join(runtime, 'podman', 'podman.sock'), '');
    const user = environment(dir, { XDG_RUNTIME_DIR: runtime }, 1000);
    expect(defaultPodmanEngine(user)).toMatchObject({
      kind: 'podman',
      name: 'Podman (rootless)',
      host: `unix://${join(runtime, 'podman', 'podman.sock')}`,
    });
    expect(
      defaultPodmanEngine(environment(dir, { CONTAINER_HOST: 'unix:///tmp/p.sock' })),
    ).toMatchObject({ origin: 'CONTAINER_HOST', host: 'unix:///tmp/p.sock' });
    // Root with no rootful socket present still finds the rootless one that exists.
    expect(defaultPodmanEngine(environment(dir, { XDG_RUNTIME_DIR: runtime }, 0)).name).toBe(
      'Podman (rootless)',
    );
    expect(discoverEngines(user).map((x) => x.kind)).toContain('podman');
  });

  it('lists sockets that exist and always one Docker engine, without duplicates', () => {
    const dir = home();
    const found = discoverEngines(environment(dir, { XDG_RUNTIME_DIR: join(dir, 'none') }));
    expect(found.filter((x) => x.kind === 'docker')).toHaveLength(1);
    expect(found.some((x) => x.kind === 'podman')).toBe(false);
    const same = discoverEngines(environment(dir, { DOCKER_HOST: 'unix:///var/run/docker.sock' }));
    expect(same.filter((x) => x.host === 'unix:///var/run/docker.sock')).toHaveLength(1);
  });

  it('parses engine addresses like the docker CLI', () => {
    expect(parseHost('unix:///run/docker.sock')).toEqual({
      scheme: 'unix',
      path: '/run/docker.sock',
    });
    expect(parseHost('localhost:2375')).toEqual({
      scheme: 'tcp',
      hostname: 'localhost',
      port: 2375,
    });
    expect(parseHost('tcp://h')).toEqual({ scheme: 'tcp', hostname: 'h', port: 2375 });
    expect(parseHost('ssh://me@h:2222')).toEqual({
      scheme: 'ssh',
      hostname: 'h',
      port: 2222,
      username: 'me',
    });
    expect(() => parseHost('unix://relative.sock')).toThrow(/absolute path/);
    expect(() => parseHost('ftp://h')).toThrow(/not supported/);
  });

  it('gives dockerode a unix socket even when a tcp DOCKER_HOST is in the environment', () => {
    const [endpoint] = discoverEngines(
      environment(home(), { CONTAINER_HOST: 'unix:///tmp/p.sock', DOCKER_HOST: 'tcp://h:1' }),
    ).filter((x) => x.kind === 'podman');
    expect(dockerodeOptions(endpoint!)).toMatchObject({
      socketPath: '/tmp/p.sock',
      host: undefined,
      port: undefined,
    });
  });
});
