// The "interned" form of bench/floor.ts, behind figure (a2): `inspect`'s counts computed with
// paths that never become strings. Each path is a node of one tree of name components shared by
// every layer, found through a hash of (parent, name bytes) straight from the tar header; entries
// are columns of typed arrays. It computes what (a)'s JSON counts from the stacked layers: each
// layer's added, modified and removed paths (DESIGN.md's semantics, attributes only: the few
// rewrites whose attributes match are counted unchanged without reading their contents), the
// bytes stored but overwritten or removed, and the final tree's paths. No dive figures, findings,
// history or JSON. Not Strata: a sketch of what a core on interned paths would cost.
import { readSync } from 'node:fs';
import { grown } from '../src-main/core/tree/grown';
import { BLOCK, forEachHeader, octal, type Region } from './tar-headers';

export interface InternedCounts {
  layers: { added: number; modified: number; removed: number }[];
  wastedBytes: number;
  paths: number;
}

const SLASH = 0x2f;
const DOT = 0x2e;

/** Path components as nodes (0 is the root), each found by its parent and its name's bytes. */
class PathTree {
  size = 1;
  private capacity = 1 << 16;
  parent = new Int32Array(this.capacity);
  firstChild = new Int32Array(this.capacity);
  nextSibling = new Int32Array(this.capacity);
  private hash = new Int32Array(this.capacity);
  private nameAt = new Int32Array(this.capacity);
  private nameLength = new Int32Array(this.capacity);
  private names = new Uint8Array(1 << 20);
  private namesLength = 0;
  private slots = new Int32Array(this.capacity * 2).fill(-1);

  /** The child of `parent` named by `bytes[at, at + length)`; made when `make`, else -1 if none. */
  child(parent: number, bytes: Uint8Array, at: number, length: number, make: boolean): number {
    let h = Math.imul(parent + 1, 0x9e3779b1);
    for (let i = at; i < at + length; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
    const mask = this.slots.length - 1;
    let slot = h & mask;
    for (let node = this.slots[slot]!; node !== -1; node = this.slots[slot]!) {
      if (
        this.hash[node] === h &&
        this.parent[node] === parent &&
        this.sameName(node, bytes, at, length)
      )
        return node;
      slot = (slot + 1) & mask;
    }
    if (!make) return -1;
    if (this.size * 2 >= this.slots.length) {
      this.grow();
      return this.child(parent, bytes, at, length, make);
    }
    const node = this.size++;
    this.slots[slot] = node;
    this.parent[node] = parent;
    this.hash[node] = h;
    this.nextSibling[node] = this.firstChild[parent]!;
    this.firstChild[parent] = node;
    if (this.namesLength + length > this.names.length) {
      const names = new Uint8Array(2 * (this.namesLength + length));
      names.set(this.names);
      this.names = names;
    }
    this.names.set(bytes.subarray(at, at + length), this.namesLength);
    this.nameAt[node] = this.namesLength;
    this.nameLength[node] = length;
    this.namesLength += length;
    return node;
  }

  private sameName(node: number, bytes: Uint8Array, at: number, length: number): boolean {
    if (this.nameLength[node] !== length) return false;
    const from = this.nameAt[node]!;
    for (let i = 0; i < length; i++) if (this.names[from + i] !== bytes[at + i]) return false;
    return true;
  }

  private grow(): void {
    this.capacity *= 2;
    this.parent = grown(this.parent, this.capacity);
    this.firstChild = grown(this.firstChild, this.capacity);
    this.nextSibling = grown(this.nextSibling, this.capacity);
    this.hash = grown(this.hash, this.capacity);
    this.nameAt = grown(this.nameAt, this.capacity);
    this.nameLength = grown(this.nameLength, this.capacity);
    this.slots = new Int32Array(this.capacity * 2).fill(-1);
    const mask = this.slots.length - 1;
    for (let node = 1; node < this.size; node++) {
      let slot = this.hash[node]! & mask;
      while (this.slots[slot] !== -1) slot = (slot + 1) & mask;
      this.slots[slot] = node;
    }
  }
}

/** Every entry of every layer: its attributes by entry number. */
class EntryColumns {
  count = 0;
  type = new Uint8Array(1 << 16);
  layer = new Uint16Array(1 << 16);
  /** size, mode, uid, gid, mtime, data offset within the layer */
  numbers = new Float64Array(6 << 16);
  links = new Map<number, string>();

  add(header: Buffer, at: number, size: number, dataOffset: number, layer: number): number {
    const id = this.count++;
    if (id >= this.type.length) this.grow();
    const type = header[at + 156]!;
    this.type[id] = type;
    this.layer[id] = layer;
    const n = id * 6;
    this.numbers[n] = type === 0x30 || type === 0 || type === 0x37 || type === 0x53 ? size : 0;
    this.numbers[n + 1] = octal(header, at + 100, 8) & 0o7777;
    this.numbers[n + 2] = octal(header, at + 108, 8);
    this.numbers[n + 3] = octal(header, at + 116, 8);
    this.numbers[n + 4] = octal(header, at + 136, 12);
    this.numbers[n + 5] = dataOffset;
    if (type === 0x31 || type === 0x32) {
      const end = header.indexOf(0, at + 157);
      this.links.set(
        id,
        header.toString('utf8', at + 157, end < 0 || end > at + 257 ? at + 257 : end),
      );
    }
    return id;
  }

  size(id: number): number {
    return this.numbers[id * 6]!;
  }

  /** DESIGN.md's attribute comparison: type, size, mode, owner, link target. */
  sameAttributes(a: number, b: number): boolean {
    const x = a * 6;
    const y = b * 6;
    return (
      this.type[a] === this.type[b] &&
      this.numbers[x] === this.numbers[y] &&
      this.numbers[x + 1] === this.numbers[y + 1] &&
      this.numbers[x + 2] === this.numbers[y + 2] &&
      this.numbers[x + 3] === this.numbers[y + 3] &&
      this.links.get(a) === this.links.get(b)
    );
  }

  private grow(): void {
    const type = new Uint8Array(this.type.length * 2);
    type.set(this.type);
    this.type = type;
    const layer = new Uint16Array(this.layer.length * 2);
    layer.set(this.layer);
    this.layer = layer;
    const numbers = new Float64Array(this.numbers.length * 2);
    numbers.set(this.numbers);
    this.numbers = numbers;
  }
}

export function internedCounts(fd: number, layers: Region[]): InternedCounts {
  const tree = new PathTree();
  const entries = new EntryColumns();
  let placed = new Int32Array(1 << 16).fill(-1);
  const window = Buffer.allocUnsafe(64 * 1024);
  const joined = Buffer.allocUnsafe(BLOCK);
  let layer = 0;
  let added = 0;
  let modified = 0;
  let removed = 0;
  let wastedBytes = 0;
  let paths = 0;

  const remove = (node: number): void => {
    for (let c = tree.firstChild[node]!; c; c = tree.nextSibling[c]!) remove(c);
    const was = node < placed.length ? placed[node]! : -1;
    if (was >= 0 && entries.layer[was] !== layer) {
      removed++;
      paths--;
      wastedBytes += entries.size(was);
      placed[node] = -1;
    }
  };

  const place = (node: number, id: number): void => {
    if (node >= placed.length) {
      const wider = new Int32Array(Math.max(node + 1, placed.length * 2)).fill(-1);
      wider.set(placed);
      placed = wider;
    }
    const was = placed[node]!;
    if (was < 0) {
      added++;
      paths++;
    } else {
      if (!entries.sameAttributes(was, id)) modified++;
      wastedBytes += entries.size(was);
    }
    placed[node] = id;
  };

  /** Stacks the entry named by bytes[at, end): a path placed, or a whiteout applied. */
  const stack = (
    bytes: Uint8Array,
    at: number,
    end: number,
    header: number,
    size: number,
    dataOffset: number,
  ): void => {
    if (end - at >= 2 && bytes[at] === DOT && bytes[at + 1] === SLASH) at += 2;
    while (end > at && bytes[end - 1] === SLASH) end--;
    let node = 0;
    let from = at;
    for (let i = at; i <= end; i++) {
      if (i < end && bytes[i] !== SLASH) continue;
      const length = i - from;
      if (length > 0 && !(length === 1 && bytes[from] === DOT)) {
        const last = i === end;
        if (
          last &&
          length > 4 &&
          bytes[from] === DOT &&
          bytes[from + 1] === 0x77 &&
          bytes[from + 2] === 0x68 &&
          bytes[from + 3] === DOT
        ) {
          if (length === 12 && bytes[from + 4] === DOT) {
            for (let c = tree.firstChild[node]!; c; c = tree.nextSibling[c]!) remove(c);
          } else {
            const target = tree.child(node, bytes, from + 4, length - 4, false);
            if (target >= 0) remove(target);
          }
          return;
        }
        node = tree.child(node, bytes, from, length, true);
      }
      from = i + 1;
    }
    if (node > 0) place(node, entries.add(window, header, size, dataOffset, layer));
  };

  const result: InternedCounts = { layers: [], wastedBytes: 0, paths: 0 };
  for (const { start, size: layerSize } of layers) {
    added = modified = removed = 0;
    let longName: Buffer | null = null;
    let paxSize = -1;
    forEachHeader(fd, window, start, start + layerSize, (window, at, type, headerSize, dataAt) => {
      if (type === 0x78 /* x */ || type === 0x4c /* L */ || type === 0x4b /* K */) {
        const data = Buffer.allocUnsafe(headerSize);
        readSync(fd, data, 0, headerSize, dataAt);
        if (type === 0x4c)
          longName = data.subarray(0, data.indexOf(0) < 0 ? headerSize : data.indexOf(0));
        if (type === 0x78) {
          const text = data.toString('utf8');
          const path = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(text);
          if (path) longName = Buffer.from(path[1]!);
          const size = /(?:^|\n)\d+ size=(\d+)\n/.exec(text);
          if (size) paxSize = Number(size[1]);
        }
        return;
      }
      const size = paxSize >= 0 ? paxSize : headerSize;
      if (longName) stack(longName, 0, longName.length, at, size, dataAt - start);
      else if (window[at + 345] && window[at + 257] === 0x75 /* ustar */) {
        const prefixEnd = window.indexOf(0, at + 345);
        const nameEnd = window.indexOf(0, at);
        const prefix = window.subarray(
          at + 345,
          prefixEnd < 0 || prefixEnd > at + 500 ? at + 500 : prefixEnd,
        );
        const name = window.subarray(at, nameEnd < 0 || nameEnd > at + 100 ? at + 100 : nameEnd);
        prefix.copy(joined);
        joined[prefix.length] = SLASH;
        name.copy(joined, prefix.length + 1);
        stack(joined, 0, prefix.length + 1 + name.length, at, size, dataAt - start);
      } else {
        const nameEnd = window.indexOf(0, at);
        stack(
          window,
          at,
          nameEnd < 0 || nameEnd > at + 100 ? at + 100 : nameEnd,
          at,
          size,
          dataAt - start,
        );
      }
      longName = null;
      paxSize = -1;
    });
    result.layers.push({ added, modified, removed });
    layer++;
  }
  result.wastedBytes = wastedBytes;
  result.paths = paths;
  return result;
}
