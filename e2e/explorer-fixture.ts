// A synthetic image for the explorer specs, made without an engine (tar-stream's pack, laid out
// as `docker save` writes it: <id>/layer.tar, config, manifest.json) and cached under .cache/:
// - layer 0: 100,000 files in 1,000 directories under /data (every tenth file has content);
// - layer 1: files of every kind the inspector shows: JSON, shell, a PNG, binary, a 600 kB log,
//   a symlink, a setuid tool owned by 1000:1000;
// - layer 2: deletes /app/blob.bin and the directory /data/d099.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { deflateSync } from 'node:zlib';
import tar from 'tar-stream';
import { REPO_ROOT } from './fixtures/manifest';

/** Bump when the content changes: the cache file name carries it. */
const VERSION = 1;
export const EXPLORER_DIR = join(REPO_ROOT, '.cache', 'explorer');
export const EXPLORER_ARCHIVE = join(EXPLORER_DIR, `explorer-100k-v${VERSION}.tar`);

export const DATA_DIRS = 100;
export const DATA_SUBDIRS = 10;
export const FILES_PER_SUBDIR = 100;
/** Files in layer 0. */
export const DATA_FILES = DATA_DIRS * DATA_SUBDIRS * FILES_PER_SUBDIR;
export const BLOB_BYTES = 3000;
export const LOG_LINES = 12_000;

const MTIME = new Date('2024-03-01T12:00:00Z');

interface Item {
  name: string;
  type?: 'file' | 'directory' | 'symlink';
  body?: Buffer;
  mode?: number;
  uid?: number;
  gid?: number;
  linkname?: string;
}

/** Deterministic bytes that are not text. */
function binary(size: number): Buffer {
  const out = Buffer.alloc(size);
  let block = createHash('sha256').update('explorer blob').digest();
  for (let at = 0; at < size; at += block.length) {
    block.copy(out, at);
    block = createHash('sha256').update(block).digest();
  }
  out[0] = 0x7f; // and no doubt about it: a NUL soon after
  out[5] = 0;
  return out;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const byte of bytes) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A 32x32 RGB PNG: four coloured quarters. */
export function makePng(): Buffer {
  const size = 32;
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // RGB
  const rows: number[] = [];
  for (let y = 0; y < size; y++) {
    rows.push(0);
    for (let x = 0; x < size; x++) {
      const quarter = (y < size / 2 ? 0 : 2) + (x < size / 2 ? 0 : 1);
      const colours = [
        [81, 80, 214],
        [29, 122, 70],
        [180, 40, 47],
        [240, 180, 76],
      ];
      rows.push(...colours[quarter]!);
    }
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.from(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

export const CONFIG_JSON = `${JSON.stringify(
  { name: 'explorer', replicas: 3, debug: false, tags: ['a', 'b'] },
  null,
  2,
)}\n`;
export const RUN_SH = '#!/bin/sh\n# start the service\nset -e\nexec /usr/bin/tool --port "$PORT"\n';

function logText(): string {
  const lines: string[] = [];
  for (let i = 0; i < LOG_LINES; i++) {
    lines.push(
      `2024-03-01T12:00:${String(i % 60).padStart(2, '0')}Z line ${i} of the explorer log, padded to be long enough`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** Writes a layer tar of `items` to `path`; resolves to its sha256 (the diff ID). */
async function writeLayer(path: string, items: Iterable<Item>): Promise<string> {
  const pack = tar.pack();
  const hash = createHash('sha256');
  pack.on('data', (data: unknown) => hash.update(data as Buffer));
  const written = pipeline(pack, createWriteStream(path));
  for (const item of items) {
    const type = item.type ?? 'file';
    const header = {
      name: item.name,
      type,
      mode: item.mode ?? (type === 'directory' ? 0o755 : 0o644),
      uid: item.uid ?? 0,
      gid: item.gid ?? 0,
      mtime: MTIME,
      ...(item.linkname ? { linkname: item.linkname } : {}),
    };
    await new Promise<void>((resolve, reject) => {
      const done = (err?: Error | null) => (err ? reject(err) : resolve());
      if (type === 'file') pack.entry(header, item.body ?? Buffer.alloc(0), done);
      else pack.entry(header, done);
    });
  }
  pack.finalize();
  await written;
  return hash.digest('hex');
}

function* dataLayer(): Generator<Item> {
  yield { name: 'data/', type: 'directory' };
  for (let d = 0; d < DATA_DIRS; d++) {
    const dir = `data/d${String(d).padStart(3, '0')}`;
    yield { name: `${dir}/`, type: 'directory' };
    for (let s = 0; s < DATA_SUBDIRS; s++) {
      const sub = `${dir}/s${s}`;
      yield { name: `${sub}/`, type: 'directory' };
      for (let f = 0; f < FILES_PER_SUBDIR; f++) {
        const n = (d * DATA_SUBDIRS + s) * FILES_PER_SUBDIR + f;
        yield {
          name: `${sub}/f${String(f).padStart(3, '0')}.txt`,
          body: n % 10 === 0 ? Buffer.from(`file ${n}\n`.repeat(1 + (n % 7))) : undefined,
        };
      }
    }
  }
}

function appLayer(): Item[] {
  return [
    { name: 'app/', type: 'directory' },
    { name: 'app/config.json', body: Buffer.from(CONFIG_JSON) },
    { name: 'app/run.sh', body: Buffer.from(RUN_SH), mode: 0o755 },
    { name: 'app/logo.png', body: makePng() },
    { name: 'app/blob.bin', body: binary(BLOB_BYTES) },
    { name: 'app/big.log', body: Buffer.from(logText()) },
    { name: 'app/current', type: 'symlink', linkname: 'config.json' },
    { name: 'usr/', type: 'directory' },
    { name: 'usr/bin/', type: 'directory' },
    {
      name: 'usr/bin/tool',
      body: Buffer.from('#!/bin/sh\necho tool\n'),
      mode: 0o4755,
      uid: 1000,
      gid: 1000,
    },
  ];
}

function cleanupLayer(): Item[] {
  return [
    { name: 'app/', type: 'directory' },
    { name: 'app/.wh.blob.bin' },
    { name: 'data/', type: 'directory' },
    { name: 'data/.wh.d099' },
  ];
}

const HISTORY = [
  'COPY dir:generated in /data ',
  'COPY dir:app in / ',
  'RUN rm /app/blob.bin && rm -rf /data/d099',
];

async function build(target: string): Promise<void> {
  const work = `${target}.${process.pid}.parts`;
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  const layers = [dataLayer(), appLayer(), cleanupLayer()];
  const diffIds: string[] = [];
  for (const [i, items] of layers.entries()) {
    diffIds.push(await writeLayer(join(work, `layer${i}.tar`), items));
  }
  const config = JSON.stringify({
    architecture: 'amd64',
    os: 'linux',
    created: MTIME.toISOString(),
    config: { Cmd: ['/app/run.sh'], WorkingDir: '/app', Env: ['PATH=/usr/bin:/bin'] },
    rootfs: { type: 'layers', diff_ids: diffIds.map((id) => `sha256:${id}`) },
    history: HISTORY.map((created_by) => ({ created: MTIME.toISOString(), created_by })),
  });
  const configName = `${createHash('sha256').update(config).digest('hex')}.json`;
  const outer = tar.pack();
  const written = pipeline(outer, createWriteStream(`${target}.partial`));
  const add = (name: string, body: string) =>
    new Promise<void>((resolve, reject) =>
      outer.entry({ name, mtime: MTIME }, body, (err) => (err ? reject(err) : resolve())),
    );
  for (const [i, id] of diffIds.entries()) {
    const file = join(work, `layer${i}.tar`);
    const { size } = await stat(file);
    const entry = outer.entry({ name: `${id}/layer.tar`, size, mtime: MTIME });
    await pipeline(createReadStream(file), entry);
  }
  await add(configName, config);
  await add(
    'manifest.json',
    JSON.stringify([
      {
        Config: configName,
        RepoTags: ['strata-test/explorer:100k'],
        Layers: diffIds.map((id) => `${id}/layer.tar`),
      },
    ]),
  );
  outer.finalize();
  await written;
  await rename(`${target}.partial`, target);
  await rm(work, { recursive: true, force: true });
}

let pending: Promise<string> | undefined;

/** The archive's path, built on first use and kept under .cache/explorer. */
export function explorerFixture(): Promise<string> {
  pending ??= (async () => {
    if (!existsSync(EXPLORER_ARCHIVE)) {
      await mkdir(EXPLORER_DIR, { recursive: true });
      await build(EXPLORER_ARCHIVE);
    }
    return EXPLORER_ARCHIVE;
  })();
  return pending;
}
