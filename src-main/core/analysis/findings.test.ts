import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../api/findings';
import { loadImage, type ImageModel } from '../image/load-image';
import { packTar } from '../tar/pack-tar';
import { legacyArchive, tempArchive } from '../testing/layouts';
import { withLayers } from '../testing/malformed-cases';
import { findFindings } from './findings';
import { mask } from './secret-patterns';

const KEY =
  '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n-----END OPENSSH PRIVATE KEY-----\n';
const AWS = 'AKIAIOSFODNN7EXAMPLE';

async function image(gzip: boolean): Promise<string> {
  const layers = [
    await packTar([
      { name: 'usr/bin/', type: 'directory' },
      { name: 'usr/bin/sudo', body: 'ELF', mode: 0o4755 },
      { name: 'var/lib/apt/lists/deb.list', body: 'x'.repeat(5000) },
    ]),
    await packTar([
      { name: 'root/.ssh/', type: 'directory', mode: 0o700 },
      { name: 'root/.ssh/id_ed25519', body: KEY, mode: 0o600 },
      { name: 'app/.env', body: `PORT=8080\nAPI_TOKEN=s3cr3t-value-123456\n` },
      {
        name: 'app/.npmrc',
        body: '//registry.npmjs.org/:_authToken=npm_abcdefghijklmnopqrstuvwxyz0123456789\n',
      },
      { name: 'app/config.js', body: `module.exports = { key: '${AWS}' };\n` },
      { name: 'app/.git/', type: 'directory' },
      { name: 'app/.git/HEAD', body: 'ref: refs/heads/main\n' },
      { name: 'app/shared.txt', body: 'anyone', mode: 0o666 },
      { name: 'app/node_modules/x/test.pem', body: KEY },
    ]),
    await packTar([{ name: 'root/.ssh/.wh.id_ed25519', body: '' }]),
    // A layer that only writes entries: the token's file rewritten without it.
    await packTar([{ name: 'app/config.js', body: 'module.exports = {};\n' }]),
  ];
  const stored = gzip ? layers.map((l) => gzipSync(l)) : layers;
  const config = {
    architecture: 'amd64',
    os: 'linux',
    config: {},
    rootfs: {
      type: 'layers',
      diff_ids: layers.map((l) => `sha256:${createHash('sha256').update(l).digest('hex')}`),
    },
    history: [
      { created_by: 'base' },
      { created_by: 'COPY . /' },
      { created_by: 'RUN rm /root/.ssh/id_ed25519' },
      { created_by: 'COPY config.js /app/' },
    ],
  };
  return tempArchive(
    await legacyArchive({ tag: 'x:1', config: JSON.stringify(config), layers: stored }),
  );
}

const sha256 = (bytes: Buffer): string =>
  `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/** Counts the streams opened on the model's archive from now on. */
function countStreams(model: ImageModel): () => number {
  let count = 0;
  for (const source of new Set(model.layers.map((layer) => layer.blob.source))) {
    const stream = source.stream.bind(source);
    source.stream = (start, end) => {
      count++;
      return stream(start, end);
    };
  }
  return () => count;
}

const brief = (f: Finding[]) => f.map((x) => [x.kind, x.path, x.layer, x.goneIn]);

let plain: ImageModel;
let gzipped: ImageModel;
beforeAll(async () => {
  plain = await loadImage(await image(false));
  gzipped = await loadImage(await image(true));
});
afterAll(async () => Promise.all([plain.close(), gzipped.close()]));

describe('findings', () => {
  it('finds secrets, credential files, caches and risky modes, with the layer that added them', async () => {
    const findings = await findFindings(plain);
    expect(brief(findings)).toEqual([
      ['token', '/app/.npmrc', 1, null],
      ['token', '/app/config.js', 1, 3],
      ['private-key', '/root/.ssh/id_ed25519', 1, 2],
      ['env-file', '/app/.env', 1, null],
      ['git-directory', '/app/.git', 1, null],
      ['package-cache', '/var/lib/apt/lists', 0, null],
      ['world-writable', '/app/shared.txt', 1, null],
      ['setuid', '/usr/bin/sudo', 0, null],
    ]);
    const key = findings.find((f) => f.kind === 'private-key')!;
    expect(key.command).toBe('COPY . /');
    expect(key.detail).toBe('private key: -----BEGIN OPENSSH PRIVATE KEY-----');
  });

  it('never shows a secret value whole', async () => {
    const text = JSON.stringify(await findFindings(plain));
    expect(text).not.toContain(AWS);
    expect(text).not.toContain('s3cr3t-value-123456');
    expect(text).not.toContain('b3BlbnNzaC1rZXktdjE');
    expect(text).toContain(mask(AWS));
    expect(mask(AWS)).toBe('AKIA************MPLE');
  });

  it('counts the bytes below each .git directory, many of them in one layer', async () => {
    // 3000 repositories, one with another inside its .git: sizes summed in one pass.
    const items = [
      { name: 'x/.git/', type: 'directory' as const },
      { name: 'x/.git/HEAD', body: '12345' },
      { name: 'x/.git/modules/y/.git/', type: 'directory' as const },
      { name: 'x/.git/modules/y/.git/HEAD', body: '123' },
      { name: 'x/.gitignore', body: 'not in .git' },
      { name: '.git/', type: 'directory' as const },
      { name: '.git/config', body: '1' },
    ];
    for (let i = 0; i < 3000; i++)
      items.push(
        { name: `r/${i}/.git/`, type: 'directory' as const },
        { name: `r/${i}/.git/HEAD`, body: 'x'.repeat(i % 7) },
      );
    const model = await loadImage(await withLayers([await packTar(items)]));
    try {
      const git = new Map(
        (await findFindings(model))
          .filter((f) => f.kind === 'git-directory')
          .map((f) => [f.path, f.bytes]),
      );
      expect(git.size).toBe(3003);
      expect(git.get('/x/.git')).toBe(8);
      expect(git.get('/x/.git/modules/y/.git')).toBe(3);
      expect(git.get('/.git')).toBe(1);
      expect(git.get('/r/10/.git')).toBe(3);
      expect(git.get('/r/13/.git')).toBe(6);
    } finally {
      await model.close();
    }
  });

  it('finds the same in gzip layers without reading them again: scanned as they streamed', async () => {
    const reads = countStreams(gzipped);
    expect(await findFindings(gzipped)).toEqual(await findFindings(plain));
    expect(reads()).toBe(0);
    expect(gzipped.indexes.every((index) => index.contentScans)).toBe(true);
  });

  it('reads a gzip layer again only for files too large to have been scanned', async () => {
    const env = `API_TOKEN=s3cr3t-value-123456\n${'#'.repeat(300 * 1024)}\n`;
    const layer = await packTar([
      // written twice in the layer: the scan of the first write must not speak for the second
      { name: 'app/config.js', body: `module.exports = { key: '${AWS}' };\n` },
      { name: 'app/config.js', body: 'module.exports = {};\n' },
      { name: 'app/.env', body: env },
    ]);
    const model = await loadImage(await withLayers([gzipSync(layer)], [sha256(layer)]));
    try {
      const reads = countStreams(model);
      expect(brief(await findFindings(model))).toEqual([['env-file', '/app/.env', 0, null]]);
      expect(reads()).toBe(1);
    } finally {
      await model.close();
    }
  });
});
