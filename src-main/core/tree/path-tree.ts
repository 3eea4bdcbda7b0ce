// Paths interned as nodes of one tree: a node is a number, found by its parent's number and its
// name in one hash table, so walking a path allocates nothing and a node is its path's identity
// (docs/interned-paths.md). Names are matched in place, inside the caller's string: no slice is
// made unless a node is created.
import { grown } from './grown';

/** The root's number; `/` has no name and no parent. */
export const ROOT = 0;
const NONE = -1;

/**
 * Nodes the columns first hold room for: the benchmark image's 105k fit. Columns are zeroed by
 * the allocator, not written, so the room a small image leaves unused costs no memory; growing
 * would copy them, and each page first touched costs 15 µs on some virtual machines.
 */
export const INITIAL_NODES = 1 << 17;

/** Per process, so that nobody can name in advance the names that share a slot. */
const SEED = (Math.random() * 2 ** 32) | 0;

/** A probe run longer than this (names made to collide) moves the tree's lookups to a Map. */
const MAX_PROBES = 64;

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
  /**
   * The lookups from the first probe run longer than `maxProbes` on, keyed by parent and name:
   * V8 hashes its keys with a secret seed, so a crafted archive cannot make each lookup a walk.
   */
  private map: Map<string, number> | null = null;
  /** Nodes so far, the root included: numbers run from 0 to size - 1. */
  size = 1;

  constructor(
    nodes = INITIAL_NODES,
    private readonly maxProbes = MAX_PROBES,
  ) {
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
    if (this.map) return this.map.get(keyOf(parent, text.slice(from, to))) ?? NONE;
    const hash = hashName(parent, text, from, to);
    for (let slot = hash & this.mask, probes = 0; ; slot = (slot + 1) & this.mask, probes++) {
      const node = this.table[slot]!;
      if (node === ROOT)
        return probes > this.maxProbes ? this.toMap().find(parent, text, from, to) : NONE;
      if (this.hashes[node] === hash && this.isNamed(node, parent, text, from, to)) return node;
    }
  }

  /** The child of `parent` named `text.slice(from, to)`, created when missing. */
  intern(parent: number, text: string, from = 0, to = text.length): number {
    if (this.map) {
      const name = text.slice(from, to);
      const key = keyOf(parent, name);
      const found = this.map.get(key);
      if (found !== undefined) return found;
      const node = this.add(parent, name, 0);
      this.map.set(key, node);
      return node;
    }
    const hash = hashName(parent, text, from, to);
    let slot = hash & this.mask;
    for (let probes = 0; ; slot = (slot + 1) & this.mask, probes++) {
      const node = this.table[slot]!;
      if (node === ROOT) {
        if (probes > this.maxProbes) return this.toMap().intern(parent, text, from, to);
        break;
      }
      if (this.hashes[node] === hash && this.isNamed(node, parent, text, from, to)) return node;
    }
    const node = this.add(parent, text.slice(from, to), hash);
    if (this.size * 2 > this.table.length) this.rehash();
    else this.table[slot] = node;
    return node;
  }

  /**
   * The child of `parent` named by the ASCII bytes `bytes[from..to)`, created when missing: the
   * node `intern` gives for the same name as a string (an ASCII name's hash and match are its
   * bytes'), without the string unless a node is made.
   */
  internBytes(parent: number, bytes: Buffer, from: number, to: number): number {
    if (this.map) return this.intern(parent, bytes.toString('latin1', from, to));
    const hash = hashBytes(parent, bytes, from, to);
    let slot = hash & this.mask;
    for (let probes = 0; ; slot = (slot + 1) & this.mask, probes++) {
      const node = this.table[slot]!;
      if (node === ROOT) {
        if (probes > this.maxProbes) return this.toMap().internBytes(parent, bytes, from, to);
        break;
      }
      if (this.hashes[node] === hash && this.isChildNamed(node, parent, bytes, from, to))
        return node;
    }
    const node = this.add(parent, bytes.toString('latin1', from, to), hash);
    if (this.size * 2 > this.table.length) this.rehash();
    else this.table[slot] = node;
    return node;
  }

  /** A new node, linked to its parent; the caller files it in the table or the map. */
  private add(parent: number, name: string, hash: number): number {
    const node = this.size++;
    if (node === this.parents.length) this.grow();
    this.parents[node] = parent;
    this.hashes[node] = hash;
    this.names.push(name);
    this.nextSiblings[node] = this.firstChildren[parent]!;
    this.firstChildren[parent] = node;
    return node;
  }

  /** Moves the lookups to a Map (see `map`) and gives up the table. */
  private toMap(): this {
    const map = new Map<string, number>();
    for (let node = ROOT + 1; node < this.size; node++)
      map.set(keyOf(this.parents[node]!, this.names[node]!), node);
    this.map = map;
    this.table = new Int32Array(0);
    return this;
  }

  /** Whether a probe run grew past the limit and the lookups went to a Map. */
  get mapped(): boolean {
    return this.map !== null;
  }

  /** The node of the absolute path `path` ('/a/b'), created with its ancestors. */
  internPath(path: string): number {
    return this.walk(path, true);
  }

  /** The nodes of absolute paths, created with their ancestors. */
  internPaths(paths: Iterable<string>): Int32Array {
    return Int32Array.from(paths, (path) => this.walk(path, true));
  }

  /** The node of the absolute path `path`, or -1. */
  findPath(path: string): number {
    return this.walk(path, false);
  }

  private walk(path: string, create: boolean): number {
    let node = ROOT;
    for (let at = 1; at < path.length && node !== NONE;) {
      let slash = path.indexOf('/', at);
      if (slash < 0) slash = path.length;
      node = create ? this.intern(node, path, at, slash) : this.find(node, path, at, slash);
      at = slash + 1;
    }
    return node;
  }

  /** The node's parent; -1 for the root. */
  parentOf(node: number): number {
    return node === ROOT ? NONE : this.parents[node]!;
  }

  /** The node's absolute path ('/a/b'; '/' for the root). */
  pathOf(node: number): string {
    if (node === ROOT) return '/';
    const names: string[] = [];
    for (let n = node; n !== ROOT; n = this.parents[n]!) names.push(this.names[n]!);
    return `/${names.reverse().join('/')}`;
  }

  /**
   * A reader of nodes' directory paths ('/a/', '/' for the root's children) that makes each once
   * for a run of nodes in one directory.
   */
  dirPaths(): (node: number) => string {
    let dir = -1;
    let path = '';
    return (node) => {
      const parent = this.parentOf(node);
      if (parent !== dir) {
        dir = parent;
        path = parent === ROOT ? '/' : `${this.pathOf(parent)}/`;
      }
      return path;
    };
  }

  nameOf(node: number): string {
    return this.names[node]!;
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

  /** Whether `node` is the child of `parent` named by the ASCII bytes `bytes[from..to)`. */
  isChildNamed(node: number, parent: number, bytes: Buffer, from: number, to: number): boolean {
    const name = this.names[node]!;
    if (this.parents[node] !== parent || name.length !== to - from) return false;
    for (let i = 0; i < name.length; i++) if (name.charCodeAt(i) !== bytes[from + i]) return false;
    return true;
  }

  private grow(): void {
    const length = this.parents.length * 2;
    this.parents = grown(this.parents, length);
    this.firstChildren = grown(this.firstChildren, length);
    this.nextSiblings = grown(this.nextSiblings, length);
    this.hashes = grown(this.hashes, length);
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

/** A name can hold no slash: the parent's number, a slash and the name name one node. */
const keyOf = (parent: number, name: string): string => `${parent}/${name}`;

/**
 * FNV-1a over the name's UTF-16 units from a random start and the parent, then murmur3's finish.
 * Also the index builder's hash of whole paths (parent 0).
 */
export function hashName(parent: number, text: string, from: number, to: number): number {
  let hash = Math.imul(parent ^ SEED ^ 0x811c9dc5, 0x01000193);
  for (let i = from; i < to; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return mixed(hash);
}

/** hashName of the ASCII name `bytes[from..to)`: the same number as for it as a string. */
function hashBytes(parent: number, bytes: Buffer, from: number, to: number): number {
  let hash = Math.imul(parent ^ SEED ^ 0x811c9dc5, 0x01000193);
  for (let i = from; i < to; i++) hash = Math.imul(hash ^ bytes[i]!, 0x01000193);
  return mixed(hash);
}

/** murmur3's finish. */
function mixed(hash: number): number {
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  return hash ^ (hash >>> 16);
}
