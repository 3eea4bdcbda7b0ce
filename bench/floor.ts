// `node .cache/bench/dist/floor.mjs ARCHIVE FORM` (built by `npm run bench`): the least a
// JavaScript `inspect` must do, for the floors of figures (a) and (c). Nothing else: no merged
// tree, no changes, no analysis, no output.
//
// Of a `docker save` archive, it walks every layer's tar headers through 64 KiB windows (as
// Strata's reader), decodes each entry's name, type, size, mode, owner, time and link, keeps
// every entry (FORM "objects": one object each, as Strata's indexes; "columns": typed arrays and
// one array of paths; "read": nothing) and stacks the layers' paths in one Map, whiteouts applied.
// FORM "interned" keeps no path as a string and computes inspect's counts (floor-interned.ts).
//
// Of an OCI archive with gzip layers, FORM "inflate" inflates every layer blob on as many
// threads as Strata's layer workers (the largest first, in place as they do) and reads no
// header; "digest" also takes the sha256 of each blob and of its content, as Strata checks both.
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { gunzipFileRegion } from '../src-main/core/io/gunzip-file';
import { internedCounts } from './floor-interned';
import { forEachHeader, octal, type Region } from './tar-headers';

if (!isMainThread) {
  // One inflating thread: a region of the archive at a time, its inflated byte count back.
  const { archive, digest } = workerData as { archive: string; digest: boolean };
  const fd = openSync(archive, 'r');
  parentPort!.on('message', ({ start, size }: { start: number; size: number }) => {
    let bytes = 0;
    const blob = digest ? createHash('sha256') : null;
    const content = digest ? createHash('sha256') : null;
    gunzipFileRegion(
      fd,
      start,
      start + size,
      (piece) => blob?.update(piece),
      (piece) => {
        bytes += piece.length;
        content?.update(piece);
      },
    );
    blob?.digest();
    content?.digest();
    parentPort!.postMessage(bytes);
  });
}
const FORMS = ['objects', 'columns', 'read', 'interned', 'inflate', 'digest'];
const [, , path = '', form = 'columns'] = isMainThread ? process.argv : [];
if (isMainThread && (!path || !FORMS.includes(form)))
  throw new Error(`usage: floor.mjs ARCHIVE [${FORMS.join('|')}]`);
const fd = isMainThread ? openSync(path, 'r') : -1;

const window = Buffer.allocUnsafe(64 * 1024);

const text = (b: Buffer, at: number, len: number): string => {
  const nul = b.indexOf(0, at);
  return b.toString('utf8', at, nul < 0 || nul > at + len ? at + len : nul);
};

interface Header {
  name: string;
  linkname: string;
  type: number;
  size: number;
  mode: number;
  uid: number;
  gid: number;
  mtime: number;
  dataAt: number;
}

function readAt(at: number, size: number): Buffer {
  const data = Buffer.allocUnsafe(size);
  readSync(fd, data, 0, size, at);
  return data;
}

/** Every entry of the tar between `start` and `end`; pax and GNU long names applied. */
function walk(start: number, end: number, visit: (h: Header) => void): void {
  let pax: Record<string, string> = {};
  let longName: string | null = null;
  let longLink: string | null = null;
  forEachHeader(fd, window, start, end, (window, at, type, size, dataAt) => {
    if (type === 0x78 /* x */) {
      pax = {};
      for (const m of readAt(dataAt, size)
        .toString('utf8')
        .matchAll(/\d+ ([^=]+)=([^\n]*)\n/g))
        pax[m[1]!] = m[2]!;
      return;
    }
    if (type === 0x4c /* L */ || type === 0x4b /* K */) {
      const value = text(readAt(dataAt, size), 0, size);
      if (type === 0x4c) longName = value;
      else longLink = value;
      return;
    }
    let name = pax.path ?? longName;
    if (name === undefined || name === null) {
      name = text(window, at, 100);
      if (window[at + 345] && window[at + 257] === 0x75 /* ustar */)
        name = `${text(window, at + 345, 155)}/${name}`;
    }
    visit({
      name,
      linkname: pax.linkpath ?? longLink ?? (window[at + 157] ? text(window, at + 157, 100) : ''),
      type,
      size: pax.size ? Number(pax.size) : size,
      mode: octal(window, at + 100, 8),
      uid: octal(window, at + 108, 8),
      gid: octal(window, at + 116, 8),
      mtime: octal(window, at + 136, 12),
      dataAt,
    });
    pax = {};
    longName = longLink = null;
  });
}

/** Inflates `blobs` on as many threads as Strata's layer workers; the inflated bytes. */
async function inflateAll(blobs: Region[]): Promise<number> {
  const queue = [...blobs].sort((a, b) => b.size - a.size);
  let bytes = 0;
  const threads = Math.min(4, Math.max(2, availableParallelism()));
  await Promise.all(
    Array.from({ length: Math.min(threads, queue.length) }, async () => {
      const worker = new Worker(new URL(import.meta.url), {
        workerData: { archive: path, digest: form === 'digest' },
      });
      try {
        for (let blob = queue.shift(); blob; blob = queue.shift()) {
          worker.postMessage(blob);
          // Awaited before it is added: `bytes += await` would add to the value read before.
          const inflated = await new Promise<number>((resolve, reject) => {
            worker.once('message', resolve);
            worker.once('error', reject);
          });
          bytes += inflated;
        }
      } finally {
        await worker.terminate();
      }
    }),
  );
  return bytes;
}

const members = new Map<string, Region>();
if (isMainThread) walk(0, Infinity, (h) => members.set(h.name, { start: h.dataAt, size: h.size }));
if (isMainThread && (form === 'inflate' || form === 'digest')) {
  const blob = (digest: string): Region => members.get(`blobs/sha256/${digest.slice(7)}`)!;
  const json = (region: Region): unknown =>
    JSON.parse(readAt(region.start, region.size).toString());
  const index = members.get('index.json');
  if (!index) throw new Error(`${path}: no index.json (not an OCI archive)`);
  const manifest = json(
    blob((json(index) as { manifests: { digest: string }[] }).manifests[0]!.digest),
  );
  const layers = (manifest as { layers: { digest: string }[] }).layers.map((l) => blob(l.digest));
  const bytes = await inflateAll(layers);
  process.stdout.write(`${form}: ${layers.length} layers, ${bytes} bytes inflated\n`);
  process.exit(0);
}
/** The docker save forms: every entry kept (or only read) and the paths stacked. */
function list(): void {
  const manifest = members.get('manifest.json');
  if (!manifest) throw new Error(`${path}: no manifest.json (not a docker save archive)`);
  const layers = (
    JSON.parse(readAt(manifest.start, manifest.size).toString()) as { Layers: string[] }[]
  )[0]!.Layers.map((name) => members.get(name)!);
  if (form === 'interned') {
    process.stdout.write(`${JSON.stringify(internedCounts(fd, layers))}\n`);
    return;
  }

  // Every entry of every layer, in one of the two forms.
  const objects: object[] = [];
  const paths: string[] = [];
  const links = new Map<number, string>();
  const types: number[] = [];
  const FIELDS = 6;
  let numbers = new Float64Array(FIELDS * 4096);
  const keep = (h: Header, path: string, layerStart: number): number => {
    if (form === 'objects') {
      objects.push({
        path,
        type: h.type,
        size: h.size,
        mode: h.mode & 0o7777,
        uid: h.uid,
        gid: h.gid,
        mtime: h.mtime,
        linkTarget: h.type === 0x31 || h.type === 0x32 ? h.linkname : null,
        dataOffset: h.dataAt - layerStart,
      });
      return objects.length - 1;
    }
    const id = paths.length;
    if ((id + 1) * FIELDS > numbers.length) {
      const grown = new Float64Array(numbers.length * 2);
      grown.set(numbers);
      numbers = grown;
    }
    paths.push(path);
    types.push(h.type);
    const at = id * FIELDS;
    numbers[at] = h.size;
    numbers[at + 1] = h.mode & 0o7777;
    numbers[at + 2] = h.uid;
    numbers[at + 3] = h.gid;
    numbers[at + 4] = h.mtime;
    numbers[at + 5] = h.dataAt - layerStart;
    if (h.type === 0x31 || h.type === 0x32) links.set(id, h.linkname);
    return id;
  };

  const stacked = new Map<string, number>();
  let entries = 0;
  for (const { start, size } of layers) {
    walk(start, start + size, (h) => {
      entries++;
      if (form === 'read') return;
      let name = h.name.startsWith('./') ? h.name.slice(1) : `/${h.name}`;
      if (name.length > 1 && name.endsWith('/')) name = name.slice(0, -1);
      const slash = name.lastIndexOf('/');
      if (name.startsWith('.wh.', slash + 1)) {
        if (name !== `${name.slice(0, slash)}/.wh..wh..opq`)
          stacked.delete(name.slice(0, slash + 1) + name.slice(slash + 5));
        return;
      }
      stacked.set(name, keep(h, name, start));
    });
  }
  closeSync(fd);
  process.stdout.write(
    `${form}: ${layers.length} layers, ${entries} entries, ${stacked.size} paths\n`,
  );
}

if (isMainThread) list();
