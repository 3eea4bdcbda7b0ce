// Images the engine-source tests load into a real engine besides the fixtures: a big one (one
// layer holding one large incompressible file, so an export takes long enough to be stopped in
// the middle), written once as a docker-save archive and cached under .cache/engine-source/, and
// small throwaway ones made with `docker import` (to be removed by a test).
import { createCipheriv, createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type Docker from 'dockerode';
import { pack } from 'tar-stream';
import { packTar } from '../../src-main/core/tar/pack-tar';
import { loadArchive } from '../fixtures/engine-api';
import { REPO_ROOT } from '../fixtures/manifest';

const CACHE = join(REPO_ROOT, '.cache', 'engine-source');
const MTIME = new Date('2024-01-01T00:00:00Z');

export interface BigImage {
  ref: string;
  /** `sha256:` of its config: the engine's image ID. */
  id: string;
  /** Bytes of the big file. */
  size: number;
  archive: string;
}

/** Deterministic incompressible bytes: AES-256-CTR over zeros with a fixed key. */
function noise(total: number): Readable {
  const cipher = createCipheriv('aes-256-ctr', Buffer.alloc(32, 7), Buffer.alloc(16, 3));
  const block = Buffer.alloc(1024 * 1024);
  let left = total;
  return new Readable({
    read() {
      if (left === 0) return void this.push(null);
      const n = Math.min(left, block.length);
      left -= n;
      this.push(cipher.update(block.subarray(0, n)));
    },
  });
}

async function packStream(
  entries: { name: string; size: number; body: () => Readable }[],
  dest: string,
  hash?: ReturnType<typeof createHash>,
): Promise<void> {
  const p = pack();
  const out = createWriteStream(dest);
  const written = pipeline(
    p as unknown as Readable,
    async function* (chunks: AsyncIterable<Buffer>) {
      for await (const chunk of chunks) {
        hash?.update(chunk);
        yield chunk;
      }
    },
    out,
  );
  for (const entry of entries) {
    await new Promise<void>((resolve, reject) => {
      const sink = p.entry(
        { name: entry.name, size: entry.size, mode: 0o644, mtime: MTIME },
        (err) => (err ? reject(err) : resolve()),
      );
      entry.body().on('error', reject).pipe(sink);
    });
  }
  p.finalize();
  await written;
}

/** A docker-save archive of one image whose one layer is a `size`-byte random file; cached. */
export async function bigImageArchive(size = 300_000_000): Promise<BigImage> {
  const ref = `strata-test/big:${size}`;
  const archive = join(CACHE, `big-${size}.tar`);
  const idFile = `${archive}.id`;
  await mkdir(CACHE, { recursive: true });
  if (existsSync(archive) && existsSync(idFile)) {
    const id = readFileSync(idFile, 'utf8').trim();
    return { ref, id, size, archive };
  }
  const layerPath = `${archive}.layer.tmp`;
  const diff = createHash('sha256');
  await packStream([{ name: 'big.bin', size, body: () => noise(size) }], layerPath, diff);
  const config = JSON.stringify({
    architecture: 'amd64',
    os: 'linux',
    created: MTIME.toISOString(),
    config: { Cmd: ['/big.bin'] },
    rootfs: { type: 'layers', diff_ids: [`sha256:${diff.digest('hex')}`] },
    history: [{ created: MTIME.toISOString(), created_by: 'strata tests: one big random file' }],
  });
  const configHex = createHash('sha256').update(config).digest('hex');
  const manifest = JSON.stringify([
    { Config: `${configHex}.json`, RepoTags: [ref], Layers: ['big/layer.tar'] },
  ]);
  const tmp = `${archive}.tmp`;
  await packStream(
    [
      {
        name: 'big/layer.tar',
        size: statSync(layerPath).size,
        body: () => createReadStream(layerPath),
      },
      { name: `${configHex}.json`, size: config.length, body: () => Readable.from([config]) },
      { name: 'manifest.json', size: manifest.length, body: () => Readable.from([manifest]) },
    ],
    tmp,
  );
  await rm(layerPath, { force: true });
  await rename(tmp, archive);
  const id = `sha256:${configHex}`;
  await writeFile(idFile, id);
  return { ref, id, size, archive };
}

/** `docker load`s the big image into an engine (once per engine). */
export async function loadBigImage(docker: Docker, size?: number): Promise<BigImage> {
  const big = await bigImageArchive(size);
  await loadArchive(docker, createReadStream(big.archive), big.ref);
  return big;
}

/**
 * `docker import` of a small image with content of its own (`seed` makes it unique), tagged
 * `ref`; returns its ID. For tests that remove an image.
 */
export async function importSmallImage(docker: Docker, ref: string, seed: string): Promise<string> {
  const root = await packTar([
    { name: 'data/', type: 'directory' },
    { name: 'data/seed.txt', body: `${seed}\n` },
    {
      name: 'data/blob.bin',
      body: createHash('sha512').update(seed).digest().toString('hex').repeat(4000),
    },
  ]);
  const colon = ref.lastIndexOf(':');
  const stream = await docker.importImage(Readable.from([root]), {
    repo: ref.slice(0, colon),
    tag: ref.slice(colon + 1),
  });
  await new Promise<void>((resolve, reject) =>
    docker.modem.followProgress(stream, (err: Error | null) => (err ? reject(err) : resolve())),
  );
  return ((await docker.getImage(ref).inspect()) as { Id: string }).Id;
}
