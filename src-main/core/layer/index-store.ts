// Layer indexes kept on disk between runs, so opening the same archive again (a second
// `strata` command, the app reopening a recent archive, an engine image reopened from its cached
// export) reads one small file per layer instead of walking every tar header.
//
// A stored index belongs to one region of one file as it is now: the key hashes the file's
// path, device, inode, size, modification and change times, and the region. Rewriting the file
// in any way makes a new key; a stored file that does not parse is ignored and removed.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, rm, stat, utimes } from 'node:fs/promises';
import { endianness, homedir } from 'node:os';
import { join } from 'node:path';
import { FileSource } from '../io/byte-source';
import { LIMITS } from '../limits';
import type { ImageModel } from '../image/load-image';
import { isVerified } from '../integrity/digests';
import type { LayerIndex } from './layer-index';
import { SCAN_RULES, type ContentScan } from '../analysis/content-scan';
import { writeGathered } from '../io/gathered-write';
import { checkPacked, packedFormOf, unpackIndex, type PackedIndex } from './packed-index';
import type { LayerBlob } from './read-layer';

const MAGIC = 'STRATAIX';
/** Raised whenever what an index holds, or how it is laid out, changes. */
const FORMAT = 2;
const SUFFIX = '.idx';
export const DEFAULT_INDEX_STORE_BYTES = 2 * 1024 ** 3;

/** $XDG_CACHE_HOME/strata/indexes (~/.cache/strata/indexes), or STRATA_INDEX_CACHE_DIR. */
export function defaultIndexDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = homedir(),
): string {
  if (env['STRATA_INDEX_CACHE_DIR']) return env['STRATA_INDEX_CACHE_DIR'];
  let base: string;
  if (platform === 'darwin') base = join(home, 'Library', 'Caches');
  else if (platform === 'win32') base = env['LOCALAPPDATA'] || join(home, 'AppData', 'Local');
  else base = env['XDG_CACHE_HOME'] || join(home, '.cache');
  return join(base, 'strata', 'indexes');
}

export class IndexStore {
  constructor(
    readonly dir: string,
    readonly maxBytes = DEFAULT_INDEX_STORE_BYTES,
    /** Layers with fewer entries are read again faster than a file is written for them. */
    readonly minEntries = 1000,
  ) {}

  /** The stored index of this layer, if one was stored for the file as it is now. */
  async get(blob: LayerBlob, diffId: string, identity?: string): Promise<LayerIndex | undefined> {
    return this.read(blob, diffId, identity, (packed) => unpackIndex(packed));
  }

  /** `get`, in the packed form the store keeps (checked: see checkPacked). */
  async getPacked(
    blob: LayerBlob,
    diffId: string,
    identity?: string,
  ): Promise<PackedIndex | undefined> {
    return this.read(blob, diffId, identity, (packed) => {
      checkPacked(packed);
      return packed;
    });
  }

  private async read<T>(
    blob: LayerBlob,
    diffId: string,
    identity: string | undefined,
    take: (packed: PackedIndex) => T,
  ): Promise<T | undefined> {
    const file = await this.fileFor(blob, diffId, identity);
    if (!file) return undefined;
    let bytes: Buffer;
    try {
      bytes = await readWhole(file.path);
    } catch {
      return undefined;
    }
    try {
      const index = take(decode(bytes, file.key));
      const now = new Date();
      void utimes(file.path, now, now).catch(() => {}); // most recently used stays longest
      return index;
    } catch {
      await rm(file.path, { force: true });
      return undefined;
    }
  }

  /** Stores an index read from `blob` (only what was verified: callers check), once. */
  async put(blob: LayerBlob, diffId: string, index: LayerIndex, identity?: string): Promise<void> {
    const packed = packedFormOf(index);
    if (index.entries.length < this.minEntries) return;
    await this.write(blob, diffId, packed, identity);
  }

  /** `put`, of an index in its packed form. */
  async putPacked(
    blob: LayerBlob,
    diffId: string,
    packed: PackedIndex,
    identity?: string,
  ): Promise<void> {
    if (packed.count < this.minEntries) return;
    await this.write(blob, diffId, () => packed, identity);
  }

  private async write(
    blob: LayerBlob,
    diffId: string,
    packed: () => PackedIndex,
    identity: string | undefined,
  ): Promise<void> {
    const file = await this.fileFor(blob, diffId, identity);
    // The same key is the same file as it is now: what is stored for it already holds.
    if (!file || (await stat(file.path).catch(() => null))) return;
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const temp = `${file.path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await writeWhole(temp, encode(packed(), file.key));
      await rename(temp, file.path);
    } catch {
      await rm(temp, { force: true });
      return;
    }
    await this.prune();
  }

  /**
   * Removes the least recently used files while the store holds more than maxBytes, and the
   * temp files of writes that never finished (a process stopped in the middle).
   */
  private async prune(): Promise<void> {
    const files: { path: string; size: number; used: number }[] = [];
    const stale = Date.now() - 60 * 60 * 1000;
    for (const name of await readdir(this.dir).catch(() => [] as string[])) {
      const path = join(this.dir, name);
      const s = await stat(path).catch(() => null);
      if (!s) continue;
      if (name.endsWith(SUFFIX)) files.push({ path, size: s.size, used: s.mtimeMs });
      else if (name.endsWith('.tmp') && s.mtimeMs < stale) await rm(path, { force: true });
    }
    let total = files.reduce((sum, f) => sum + f.size, 0);
    files.sort((a, b) => a.used - b.used);
    for (const f of files) {
      if (total <= this.maxBytes) break;
      await rm(f.path, { force: true });
      total -= f.size;
    }
  }

  /**
   * `identity`: what the file is, for a file whose times change without its bytes changing (an
   * export in the export cache, named by image ID, has its times set when it is used).
   */
  private async fileFor(
    blob: LayerBlob,
    diffId: string,
    identity?: string,
  ): Promise<{ path: string; key: string } | undefined> {
    const source = blob.source;
    // Only a file the user named or the engine's export: a spool file is new every time.
    if (!(source instanceof FileSource) || source.name !== source.path) return undefined;
    const s = await stat(source.path, { bigint: true }).catch(() => null);
    if (!s) return undefined;
    const file = identity ?? [source.path, s.dev, s.ino, s.mtimeNs, s.ctimeNs].map(String);
    const key = JSON.stringify([FORMAT, file, String(s.size), blob.offset, blob.length, diffId]);
    const name = createHash('sha256').update(key).digest('hex');
    return { path: join(this.dir, `${name}${SUFFIX}`), key };
  }
}

/**
 * A file's bytes in one read: readFile reads half a megabyte at a time, each piece waiting for
 * the main thread, which is busy stacking the layer before (a 20 MB index took 40 reads).
 */
async function readWhole(path: string): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const bytes = Buffer.allocUnsafe(size);
    let filled = 0;
    while (filled < size) {
      const { bytesRead } = await handle.read(bytes, filled, size - filled, filled);
      if (bytesRead === 0) throw new Error('the index file shrank while it was read');
      filled += bytesRead;
    }
    return bytes;
  } finally {
    await handle.close();
  }
}

/** The content scans as JSON holds them, with the version of the rules that made them. */
interface StoredScans {
  rules: number;
  scans: [string, ContentScan][];
}

interface Header {
  key: string;
  count: number;
  stringBytes: number;
  digestBytes: number;
  meta: Omit<PackedIndex['meta'], 'contentScans'> & { contentScans?: StoredScans };
  xattrs: [number, Record<string, string>][];
}

/** A new file holding the pieces, in order. */
async function writeWhole(path: string, pieces: Uint8Array[]): Promise<void> {
  const handle = await open(path, 'wx', 0o600);
  try {
    await writeGathered(handle, pieces);
  } finally {
    await handle.close();
  }
}

function encode(packed: PackedIndex, key: string): Uint8Array[] {
  const header: Header = {
    key,
    count: packed.count,
    stringBytes: packed.strings.byteLength,
    digestBytes: packed.digests.byteLength,
    meta: {
      ...packed.meta,
      contentScans: packed.meta.contentScans && {
        rules: SCAN_RULES,
        scans: [...packed.meta.contentScans],
      },
    },
    xattrs: packed.xattrs.map(([i, attrs]) => [
      i,
      Object.fromEntries(Object.entries(attrs).map(([k, v]) => [k, v.toString('base64')])),
    ]),
  };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const prefix = Buffer.alloc(16);
  prefix.write(MAGIC, 0, 'latin1');
  prefix.writeUInt32LE(FORMAT, 8);
  prefix.writeUInt32LE(json.length, 12);
  const pad = Buffer.alloc((8 - ((16 + json.length) % 8)) % 8);
  const numbers = Buffer.from(
    packed.numbers.buffer,
    packed.numbers.byteOffset,
    packed.numbers.byteLength,
  );
  return [prefix, json, pad, numbers, packed.strings, packed.digests];
}

function decode(bytes: Buffer, key: string): PackedIndex {
  if (bytes.length < 16 || bytes.toString('latin1', 0, 8) !== MAGIC)
    throw new Error('not an index');
  if (bytes.readUInt32LE(8) !== FORMAT) throw new Error('another format');
  const jsonLength = bytes.readUInt32LE(12);
  if (jsonLength > LIMITS.jsonBytes * 4 || 16 + jsonLength > bytes.length)
    throw new Error('bad header');
  const header = JSON.parse(bytes.toString('utf8', 16, 16 + jsonLength)) as Header;
  if (header.key !== key) throw new Error('another file');
  const count = header.count;
  if (!Number.isSafeInteger(count) || count < 0 || count > LIMITS.entriesPerLayer)
    throw new Error('bad count');
  const numbersAt = 16 + jsonLength + ((8 - ((16 + jsonLength) % 8)) % 8);
  const numbersBytes = count * 8 * 8;
  const { stringBytes, digestBytes } = header;
  if (
    ![stringBytes, digestBytes].every((n) => Number.isSafeInteger(n) && n >= 0) ||
    numbersAt + numbersBytes + stringBytes + digestBytes !== bytes.length
  )
    throw new Error('bad size');
  // The numbers are read in place where they lie on an 8-byte boundary (a file read whole has
  // its own memory: they do); a Float64Array elsewhere needs a copy.
  const at = bytes.byteOffset + numbersAt;
  let numbers: Float64Array;
  if (at % 8 === 0) numbers = new Float64Array(bytes.buffer, at, count * 8);
  else {
    numbers = new Float64Array(count * 8);
    new Uint8Array(numbers.buffer).set(bytes.subarray(numbersAt, numbersAt + numbersBytes));
  }
  const strings = bytes.subarray(numbersAt + numbersBytes, numbersAt + numbersBytes + stringBytes);
  const digests = bytes.subarray(numbersAt + numbersBytes + stringBytes);
  const xattrs = header.xattrs.map(([i, attrs]): [number, Record<string, Buffer>] => {
    // As the PAX reader makes them: no prototype, so a name like __proto__ is plain data.
    const values = Object.create(null) as Record<string, Buffer>;
    for (const [name, value] of Object.entries(attrs)) values[name] = Buffer.from(value, 'base64');
    return [i, values];
  });
  const { contentScans, ...meta } = header.meta;
  const scans = scansOf(contentScans);
  return {
    meta: scans ? { ...meta, contentScans: scans } : meta,
    count,
    strings,
    digests,
    numbers,
    xattrs,
  };
}

/** Stored scans made by today's rules; none otherwise (the findings then read the files). */
function scansOf(stored: StoredScans | undefined): Map<string, ContentScan> | undefined {
  if (stored?.rules !== SCAN_RULES) return undefined;
  const strings = (list: unknown): boolean =>
    Array.isArray(list) && list.every((item) => typeof item === 'string');
  const valid = (scan: ContentScan): boolean =>
    strings(scan?.envKeys) &&
    Array.isArray(scan.secrets) &&
    scan.secrets.every((s) => strings([s?.kind, s?.detail]));
  if (!Array.isArray(stored.scans)) throw new Error('bad scans');
  for (const [path, scan] of stored.scans)
    if (typeof path !== 'string' || !valid(scan)) throw new Error('bad scans');
  return new Map(stored.scans);
}

/**
 * Stores the indexes of an image whose layers were indexed while its export streamed into the
 * cache (export-indexer.ts hashes each layer as it indexes it: they are that file's).
 */
export async function keepIndexes(
  model: ImageModel,
  identity: string,
  into = store,
): Promise<void> {
  if (!into) return;
  for (const [i, index] of model.indexes.entries()) {
    const layer = model.resolved.layers[i]!;
    if (isVerified(index))
      await into.put(layer.blob, layer.diffId, index, identity).catch(() => {});
  }
}

let store: IndexStore | null = null;

/**
 * Keeps layer indexes in `dir` from now on, none with null (the CLI and the app switch it on;
 * tests and library users do not). STRATA_INDEX_CACHE=0 turns it off,
 * STRATA_INDEX_CACHE_MAX_BYTES bounds it, STRATA_INDEX_CACHE_MIN_ENTRIES sets the smallest layer
 * kept.
 */
export function useIndexStore(dir: string | null, env: NodeJS.ProcessEnv = process.env): void {
  store = null;
  if (dir === null || env['STRATA_INDEX_CACHE'] === '0' || endianness() !== 'LE') return;
  const number = (name: string): number | undefined => {
    const value = Number(env[name] || NaN);
    return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  };
  store = new IndexStore(
    dir,
    number('STRATA_INDEX_CACHE_MAX_BYTES'),
    number('STRATA_INDEX_CACHE_MIN_ENTRIES'),
  );
}

export function indexStore(): IndexStore | null {
  return store;
}
