// `node .cache/bench/dist/floor.mjs ARCHIVE [objects|columns|read]` (built by `npm run bench`):
// the least a JavaScript `inspect` of a `docker save` archive must do, for figure (a)'s floor.
// It walks every layer's tar headers through 64 KiB windows (as Strata's reader), decodes each
// entry's name, type, size, mode, owner, time and link, keeps every entry ("objects": one object
// each, as Strata's indexes; "columns": typed arrays and one array of paths, the data model a
// redesign would use; "read": nothing) and stacks the layers' paths in one Map, whiteouts
// applied. No merged tree, no changes, no analysis, no output: what any design pays first.
import { closeSync, openSync, readSync } from 'node:fs';

const [, , path, form = 'columns'] = process.argv;
if (!path || !['objects', 'columns', 'read'].includes(form))
  throw new Error('usage: floor.mjs ARCHIVE [objects|columns|read]');
const fd = openSync(path, 'r');
const BLOCK = 512;
const WINDOW = 64 * 1024;
const window = Buffer.allocUnsafe(WINDOW);

const text = (b: Buffer, at: number, len: number): string => {
  const nul = b.indexOf(0, at);
  return b.toString('utf8', at, nul < 0 || nul > at + len ? at + len : nul);
};
const octal = (b: Buffer, at: number, len: number): number => {
  if (b[at]! & 0x80) {
    let v = 0;
    for (let i = at + 1; i < at + len; i++) v = v * 256 + b[i]!;
    return v;
  }
  let v = 0;
  for (let i = at; i < at + len; i++) {
    const c = b[i]!;
    if (c >= 48 && c <= 55) v = v * 8 + (c - 48);
    else if (c === 0 || (c === 32 && v)) break;
  }
  return v;
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
  let windowStart = -1;
  let windowLength = 0;
  let pos = start;
  let pax: Record<string, string> = {};
  let longName: string | null = null;
  let longLink: string | null = null;
  while (pos + BLOCK <= end) {
    if (windowStart < 0 || pos + BLOCK > windowStart + windowLength) {
      windowLength = readSync(fd, window, 0, Math.min(WINDOW, end - pos), pos);
      windowStart = pos;
    }
    const at = pos - windowStart;
    if (window[at] === 0) break;
    const size = octal(window, at + 124, 12);
    const type = window[at + 156]!;
    const dataAt = pos + BLOCK;
    pos = dataAt + Math.ceil(size / BLOCK) * BLOCK;
    if (type === 0x78 /* x */) {
      pax = {};
      for (const m of readAt(dataAt, size)
        .toString('utf8')
        .matchAll(/\d+ ([^=]+)=([^\n]*)\n/g))
        pax[m[1]!] = m[2]!;
      continue;
    }
    if (type === 0x4c /* L */ || type === 0x4b /* K */) {
      const value = text(readAt(dataAt, size), 0, size);
      if (type === 0x4c) longName = value;
      else longLink = value;
      continue;
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
  }
}

const members = new Map<string, { start: number; size: number }>();
walk(0, Infinity, (h) => members.set(h.name, { start: h.dataAt, size: h.size }));
const manifest = members.get('manifest.json');
if (!manifest) throw new Error(`${path}: no manifest.json (not a docker save archive)`);
const layers = (
  JSON.parse(readAt(manifest.start, manifest.size).toString()) as { Layers: string[] }[]
)[0]!.Layers.map((name) => members.get(name)!);

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
