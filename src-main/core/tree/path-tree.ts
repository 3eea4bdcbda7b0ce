// Paths interned as nodes of one tree: a node is a number, found by its parent's number and its
// name in one hash table, so walking a path allocates nothing and a node is its path's identity
// (docs/interned-paths.md). Names are matched in place, inside the caller's string: no slice is
// made unless a node is created.

/** The root's number; `/` has no name and no parent. */
export const ROOT = 0;
const NONE = -1;

/**
 * Nodes the columns first hold room for: the benchmark image's 105k fit. Columns are zeroed by
 * the allocator, not written, so the room a small image leaves unused costs no memory; growing
 * would copy them, and each page first touched costs 15 µs on some virtual machines.
 */
export const INITIAL_NODES = 1 << 17;

export class PathTree {
  // By node; 0 is the root, which is no node's child or sibling: 0 in a link means none.
  private parents: Int32Array<ArrayBuffer>;
  private firstChildren: Int32Array<ArrayBuffer>;
  private nextSiblings: Int32Array<ArrayBuffer>;
  private hashes: Int32Array<ArrayBuffer>;
  private readonly names: string[] = [''];
  /** Open addressing, linear probing: node numbers, 0 (the root, never a child) for empty. */
  private table: Int32Array<ArrayBuffer>;
  private mask: number;
  /** Nodes so far, the root included: numbers run from 0 to size - 1. */
  size = 1;

  constructor(nodes = INITIAL_NODES) {
    this.parents = new Int32Array(nodes);
    this.firstChildren = new Int32Array(nodes);
    this.nextSiblings = new Int32Array(nodes);
    this.hashes = new Int32Array(nodes);
    this.table = new Int32Array(2 ** Math.ceil(Math.log2(nodes * 2)));
    this.mask = this.table.length - 1;
  }

  /** Nodes the columns hold room for. */
  get capacity(): number {
    return this.parents.length;
  }

  /** The child of `parent` named `text.slice(from, to)`, or -1. */
  find(parent: number, text: string, from = 0, to = text.length): number {
    const hash = hashName(parent, text, from, to);
    for (let slot = hash & this.mask; ; slot = (slot + 1) & this.mask) {
      const node = this.table[slot]!;
      if (node === ROOT) return NONE;
      if (this.hashes[node] === hash && this.isNamed(node, parent, text, from, to)) return node;
    }
  }

  /** The child of `parent` named `text.slice(from, to)`, created when missing. */
  intern(parent: number, text: string, from = 0, to = text.length): number {
    const hash = hashName(parent, text, from, to);
    let slot = hash & this.mask;
    for (; ; slot = (slot + 1) & this.mask) {
      const node = this.table[slot]!;
      if (node === ROOT) break;
      if (this.hashes[node] === hash && this.isNamed(node, parent, text, from, to)) return node;
    }
    const node = this.size++;
    if (node === this.parents.length) this.grow();
    this.parents[node] = parent;
    this.hashes[node] = hash;
    this.names.push(text.slice(from, to));
    this.nextSiblings[node] = this.firstChildren[parent]!;
    this.firstChildren[parent] = node;
    if (this.size * 2 > this.table.length) this.rehash();
    else this.table[slot] = node;
    return node;
  }

  /** The node of the absolute path `path.slice(0, to)` ('/a/b'), created with its ancestors. */
  internPath(path: string, to = path.length): number {
    let node = ROOT;
    for (let at = 1; at < to;) {
      let slash = path.indexOf('/', at);
      if (slash < 0 || slash > to) slash = to;
      node = this.intern(node, path, at, slash);
      at = slash + 1;
    }
    return node;
  }

  /** The node of the absolute path `path`, or -1. */
  findPath(path: string): number {
    let node = ROOT;
    for (let at = 1; at < path.length && node !== NONE;) {
      let slash = path.indexOf('/', at);
      if (slash < 0) slash = path.length;
      node = this.find(node, path, at, slash);
      at = slash + 1;
    }
    return node;
  }

  /** The node's parent; -1 for the root. */
  parentOf(node: number): number {
    return node === ROOT ? NONE : this.parents[node]!;
  }

  nameOf(node: number): string {
    return this.names[node]!;
  }

  /** The node's absolute path ('/' for the root). */
  pathOf(node: number): string {
    if (node === ROOT) return '/';
    const names: string[] = [];
    for (let n = node; n !== ROOT; n = this.parents[n]!) names.push(this.names[n]!);
    return `/${names.reverse().join('/')}`;
  }

  /** The node's children, newest first: -1 when it has none. */
  firstChildOf(node: number): number {
    return this.firstChildren[node] || NONE;
  }

  /** The next child of the same parent, or -1. */
  nextSiblingOf(node: number): number {
    return this.nextSiblings[node] || NONE;
  }

  private isNamed(node: number, parent: number, text: string, from: number, to: number): boolean {
    const name = this.names[node]!;
    return (
      this.parents[node] === parent && name.length === to - from && text.startsWith(name, from)
    );
  }

  private grow(): void {
    const length = this.parents.length * 2;
    const widen = (array: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> => {
      const next = new Int32Array(length);
      next.set(array);
      return next;
    };
    this.parents = widen(this.parents);
    this.firstChildren = widen(this.firstChildren);
    this.nextSiblings = widen(this.nextSiblings);
    this.hashes = widen(this.hashes);
  }

  private rehash(): void {
    this.table = new Int32Array(this.table.length * 2);
    this.mask = this.table.length - 1;
    for (let node = 1; node < this.size; node++) {
      let slot = this.hashes[node]! & this.mask;
      while (this.table[slot] !== ROOT) slot = (slot + 1) & this.mask;
      this.table[slot] = node;
    }
  }
}

/** FNV-1a over the name's UTF-16 units, seeded by the parent, then mixed (murmur3's finish). */
function hashName(parent: number, text: string, from: number, to: number): number {
  let hash = Math.imul(parent ^ 0x811c9dc5, 0x01000193);
  for (let i = from; i < to; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  return hash ^ (hash >>> 16);
}
