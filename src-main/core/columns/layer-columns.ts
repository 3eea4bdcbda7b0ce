// One layer's entries as columns over an image's path tree (docs/interned-paths.md, "The shape"):
// each entry is a position, its path a node of the tree, its attributes numbers in typed arrays.
import type { EntryType } from '../../api/model';
import type { LayerEntry, LayerIndex } from '../layer/layer-index';
import {
  DIGEST_BYTES,
  FIELDS,
  HAS_DIGEST,
  HAS_LINK,
  TYPE_CODE,
  TYPES,
  type PackedIndex,
} from '../layer/packed-index';
import { grown } from '../tree/grown';
import { ROOT, type PathTree } from '../tree/path-tree';
import { isAscii } from 'node:buffer';
import { BytePaths } from './byte-paths';

/** Entry types by code, as the `type` column holds them: the packed form's. */
export { TYPES };
export const FILE = 0;
export const DIR = 1;
export const HARDLINK = 3;

export class LayerColumns {
  readonly node: Int32Array;
  readonly type: Uint8Array;
  readonly size: Float64Array;
  readonly mode: Uint16Array;
  readonly uid: Float64Array;
  readonly gid: Float64Array;
  readonly mtime: Float64Array;
  readonly dataOffset: Float64Array;
  /** Symlink targets as stored and hardlink targets as absolute paths, by position. */
  readonly links = new Map<number, string>();
  /**
   * The files' sha256 where the layer was streamed (LayerEntry.sha256): by position, the number
   * of its 32 bytes in `digestBytes` (-1: none).
   */
  digestAt: Int32Array | null = null;
  digestBytes: Buffer | null = null;

  constructor(
    readonly count: number,
    /** Nodes of the paths this layer deletes from the layers below. */
    readonly whiteouts: Int32Array,
    /** Nodes of the directories whose lower contents this layer hides. */
    readonly opaqueDirs: Int32Array,
  ) {
    this.node = new Int32Array(count);
    this.type = new Uint8Array(count);
    this.size = new Float64Array(count);
    this.mode = new Uint16Array(count);
    this.uid = new Float64Array(count);
    this.gid = new Float64Array(count);
    this.mtime = new Float64Array(count);
    this.dataOffset = new Float64Array(count);
  }

  /** The entry at `at` as the layer index holds it, its path given. */
  entryAt(at: number, path: string): LayerEntry {
    const entry: LayerEntry = {
      path,
      type: TYPES[this.type[at]!]!,
      size: this.size[at]!,
      mode: this.mode[at]!,
      uid: this.uid[at]!,
      gid: this.gid[at]!,
      mtime: this.mtime[at]!,
      linkTarget: this.links.get(at) ?? null,
      dataOffset: this.dataOffset[at]!,
    };
    const digest = this.digestOf(at);
    if (digest !== undefined) entry.sha256 = digest;
    return entry;
  }

  /** The file's sha256 at `at` (LayerEntry.sha256), where the layer was streamed. */
  digestOf(at: number): string | undefined {
    const digest = this.digestAt?.[at] ?? -1;
    return digest < 0
      ? undefined
      : this.digestBytes!.toString('latin1', digest * 32, digest * 32 + 32);
  }

  /** Keeps the files' digests, given as [position, sha256] in position order. */
  keepDigests(digests: readonly [number, string][]): void {
    if (!digests.length) return;
    this.digestAt = new Int32Array(this.count).fill(-1);
    this.digestBytes = Buffer.allocUnsafe(digests.length * 32);
    digests.forEach(([at, digest], k) => {
      this.digestBytes!.write(digest, k * 32, 32, 'latin1');
      this.digestAt![at] = k;
    });
  }

  /** DESIGN.md's comparison of two entries: type, size, mode, owner and link target. */
  sameAttributes(at: number, other: LayerColumns, otherAt: number): boolean {
    return (
      this.type[at] === other.type[otherAt] &&
      this.size[at] === other.size[otherAt] &&
      this.mode[at] === other.mode[otherAt] &&
      this.uid[at] === other.uid[otherAt] &&
      this.gid[at] === other.gid[otherAt] &&
      this.links.get(at) === other.links.get(otherAt)
    );
  }
}

/** A layer index's entries as columns, their paths interned in `tree`. */
export function columnsOf(index: LayerIndex, tree: PathTree): LayerColumns {
  const { entries } = index;
  const columns = new LayerColumns(
    entries.length,
    tree.internPaths(index.whiteouts),
    tree.internPaths(index.opaqueDirs),
  );
  for (let at = 0; at < entries.length; at++) {
    const entry = entries[at]!;
    columns.node[at] = tree.internPath(entry.path);
    columns.type[at] = TYPE_CODE.get(entry.type)!;
    columns.size[at] = entry.size;
    columns.mode[at] = entry.mode;
    columns.uid[at] = entry.uid;
    columns.gid[at] = entry.gid;
    columns.mtime[at] = entry.mtime;
    columns.dataOffset[at] = entry.dataOffset;
    if (entry.linkTarget !== null) columns.links.set(at, entry.linkTarget);
  }
  columns.keepDigests(
    entries.flatMap((entry, at): [number, string][] => (entry.sha256 ? [[at, entry.sha256]] : [])),
  );
  return columns;
}

/**
 * Which nodes a layer wrote, and where: a stamp and a position by node, kept for the image's next
 * layer (a new stamp empties it without a pass over it).
 */
export class WrittenNodes {
  private stamps = new Int32Array(0);
  private positions = new Int32Array(0);
  private stamp = 0;

  /** Forgets every node: a new layer begins. */
  next(): void {
    this.stamp++;
  }

  /** Records `node` at `position`; the position it had in this layer, or -1. */
  set(node: number, position: number): number {
    if (node >= this.stamps.length) {
      const length = Math.max(node + 1, this.stamps.length * 2, 1024);
      this.stamps = grown(this.stamps, length);
      this.positions = grown(this.positions, length);
    }
    const before = this.stamps[node] === this.stamp ? this.positions[node]! : -1;
    this.stamps[node] = this.stamp;
    this.positions[node] = position;
    return before;
  }
}

/** The most entries a writer makes room for at once (13.5 MB). */
const MAX_ROOM = 1 << 18;

/** Writes a layer's columns entry by entry; a path written again keeps its last write, last. */
export class LayerColumnsWriter {
  private count = 0;
  private dropped = 0;
  private node: Int32Array;
  private type: Uint8Array;
  private numbers: Float64Array;
  private readonly links = new Map<number, string>();
  private readonly digests = new Map<number, string>();
  /** The directory of the last entry pushed as a string ('' for the root; null: none), and its node. */
  private dir: string | null = null;
  private dirNode = ROOT;
  private readonly bytePaths: BytePaths;

  constructor(
    readonly tree: PathTree,
    private readonly written: WrittenNodes,
    /**
     * How many entries the layer may hold at most (a tar of n bytes holds at most n / 512): room
     * for them is made at once, up to a bound, instead of grown by copies. Memory not written to
     * is not touched.
     */
    atMost = 0,
  ) {
    written.next();
    this.bytePaths = new BytePaths(tree);
    const room = Math.max(1024, Math.min(Math.floor(atMost), MAX_ROOM));
    this.node = new Int32Array(room);
    this.type = new Uint8Array(room);
    this.numbers = new Float64Array(room * 6);
  }

  push(
    path: string,
    type: EntryType,
    size: number,
    mode: number,
    uid: number,
    gid: number,
    mtime: number,
    linkTarget: string | null,
    dataOffset: number,
    sha256: string | undefined,
    /** Not kept: no consumer of the columns shows extended attributes yet. */
    _xattrs?: Record<string, Buffer>,
  ): void {
    // Entries come grouped by directory: a run of them interns its directory once.
    const slash = path.lastIndexOf('/');
    if (this.dir === null || slash !== this.dir.length || !path.startsWith(this.dir)) {
      this.dir = path.slice(0, slash);
      this.dirNode = this.tree.internPath(this.dir);
      this.bytePaths.forget();
    }
    const node = this.tree.intern(this.dirNode, path, slash + 1);
    const at = this.place(node, TYPE_CODE.get(type)!, size, mode, uid, gid, mtime, dataOffset);
    if (linkTarget !== null) this.links.set(at, linkTarget);
    if (sha256) this.digests.set(at, sha256);
  }

  /**
   * An entry whose path is the ASCII bytes `path[from..to)` without their leading slash
   * (plain-path.ts): interned from them, no string made unless a node is new. Gives its node.
   */
  pushBytes(
    path: Buffer,
    from: number,
    to: number,
    typeCode: number,
    size: number,
    mode: number,
    uid: number,
    gid: number,
    mtime: number,
    linkTarget: string | null,
    dataOffset: number,
  ): number {
    const node = this.bytePaths.intern(path, from, to);
    this.dir = null;
    const at = this.place(node, typeCode, size, mode, uid, gid, mtime, dataOffset);
    if (linkTarget !== null) this.links.set(at, linkTarget);
    return node;
  }

  /** The next position, holding `node` and these attributes; an earlier write of `node` dropped. */
  private place(
    node: number,
    typeCode: number,
    size: number,
    mode: number,
    uid: number,
    gid: number,
    mtime: number,
    dataOffset: number,
  ): number {
    const at = this.count++;
    if (at === this.node.length) {
      this.node = grown(this.node, at * 2);
      this.type = grown(this.type, at * 2);
      this.numbers = grown(this.numbers, at * 12);
    }
    const before = this.written.set(node, at);
    if (before >= 0) {
      this.node[before] = -1;
      this.dropped++;
    }
    this.node[at] = node;
    this.type[at] = typeCode;
    const n = at * 6;
    this.numbers[n] = size;
    this.numbers[n + 1] = mode;
    this.numbers[n + 2] = uid;
    this.numbers[n + 3] = gid;
    this.numbers[n + 4] = dataOffset;
    this.numbers[n + 5] = mtime;
    return at;
  }

  finish(whiteouts: Iterable<string>, opaqueDirs: Iterable<string>): LayerColumns {
    const columns = new LayerColumns(
      this.count - this.dropped,
      this.tree.internPaths(whiteouts),
      this.tree.internPaths(opaqueDirs),
    );
    let to = 0;
    const digests: [number, string][] = [];
    for (let at = 0; at < this.count; at++) {
      const node = this.node[at]!;
      if (node < 0) continue;
      columns.node[to] = node;
      columns.type[to] = this.type[at]!;
      const n = at * 6;
      columns.size[to] = this.numbers[n]!;
      columns.mode[to] = this.numbers[n + 1]!;
      columns.uid[to] = this.numbers[n + 2]!;
      columns.gid[to] = this.numbers[n + 3]!;
      columns.dataOffset[to] = this.numbers[n + 4]!;
      columns.mtime[to] = this.numbers[n + 5]!;
      const link = this.links.get(at);
      if (link !== undefined) columns.links.set(to, link);
      const digest = this.digests.get(at);
      if (digest !== undefined) digests.push([to, digest]);
      to++;
    }
    columns.keepDigests(digests);
    return columns;
  }
}

const SLASH = 0x2f;
const notAbsolute = (): Error => new Error('the packed index has a path that is not absolute');

/**
 * A packed index's entries as columns (the form layer workers send and the index store keeps),
 * their paths interned from its strings without a string made for each. `packed` must have passed
 * checkPacked.
 */
export function columnsOfPacked(packed: PackedIndex, tree: PathTree): LayerColumns {
  const { count, numbers, meta } = packed;
  const columns = new LayerColumns(
    count,
    tree.internPaths(meta.whiteouts),
    tree.internPaths(meta.opaqueDirs),
  );
  const { buffer, byteOffset, byteLength } = packed.strings;
  const pool = Buffer.from(buffer, byteOffset, byteLength);
  // Paths of ASCII alone (nearly every layer's) are interned from their bytes, no string made.
  const paths = isAscii(pool) ? new BytePaths(tree) : null;
  const text = paths ? '' : pool.toString('utf8');
  let from = 0;
  /** Where the next string, from `from`, ends. */
  const end = (): number => {
    if (paths) {
      let to = from;
      while (to < pool.length && pool[to] !== 0) to++;
      return to;
    }
    const nul = text.indexOf('\0', from);
    return nul < 0 ? text.length : nul;
  };
  // Entries come grouped by directory: a run of them interns its directory once.
  let dir = '';
  let dirNode = ROOT;
  for (let at = 0; at < count; at++) {
    const to = end();
    if (paths) {
      if (pool[from] !== SLASH || pool[to - 1] === SLASH) throw notAbsolute();
      columns.node[at] = paths.intern(pool, from + 1, to);
    } else {
      const slash = text.lastIndexOf('/', to - 1);
      if (text.charCodeAt(from) !== SLASH || slash < from || slash === to - 1) throw notAbsolute();
      if (slash - from !== dir.length || !text.startsWith(dir, from)) {
        dir = text.slice(from, slash);
        dirNode = tree.internPath(dir);
      }
      columns.node[at] = tree.intern(dirNode, text, slash + 1, to);
    }
    const n = at * FIELDS;
    columns.type[at] = numbers[n]!;
    columns.size[at] = numbers[n + 2]!;
    columns.mode[at] = numbers[n + 3]!;
    columns.uid[at] = numbers[n + 4]!;
    columns.gid[at] = numbers[n + 5]!;
    columns.mtime[at] = numbers[n + 6]!;
    columns.dataOffset[at] = numbers[n + 7]!;
    from = to + 1;
  }
  let digest = 0;
  for (let at = 0; at < count; at++) {
    const flags = numbers[at * FIELDS + 1]!;
    if (flags & HAS_LINK) {
      const to = end();
      columns.links.set(at, paths ? pool.toString('latin1', from, to) : text.slice(from, to));
      from = to + 1;
    }
    if (flags & HAS_DIGEST) {
      columns.digestAt ??= new Int32Array(count).fill(-1);
      columns.digestAt[at] = digest++;
    }
  }
  if (digest) {
    const d = packed.digests;
    columns.digestBytes = Buffer.from(d.buffer, d.byteOffset, d.byteLength);
  }
  return columns;
}

/** The packed form of a layer's columns (for the index store), its paths made from the tree. */
export function packColumns(
  columns: LayerColumns,
  meta: PackedIndex['meta'],
  tree: PathTree,
): PackedIndex {
  const { count } = columns;
  const numbers = new Float64Array(count * FIELDS);
  const strings: string[] = new Array<string>(count);
  const links: string[] = [];
  let digests = 0;
  const dirOf = tree.dirPaths();
  for (let at = 0; at < count; at++) {
    const node = columns.node[at]!;
    strings[at] = dirOf(node) + tree.nameOf(node);
    const link = columns.links.get(at);
    if (link !== undefined) links.push(link);
    const digested = (columns.digestAt?.[at] ?? -1) >= 0;
    if (digested) digests++;
    const n = at * FIELDS;
    numbers[n] = columns.type[at]!;
    numbers[n + 1] = (link !== undefined ? HAS_LINK : 0) | (digested ? HAS_DIGEST : 0);
    numbers[n + 2] = columns.size[at]!;
    numbers[n + 3] = columns.mode[at]!;
    numbers[n + 4] = columns.uid[at]!;
    numbers[n + 5] = columns.gid[at]!;
    numbers[n + 6] = columns.mtime[at]!;
    numbers[n + 7] = columns.dataOffset[at]!;
  }
  // Memory of its own (not a slice of a larger block), as the packed form is sent between threads.
  const digestBytes = Buffer.allocUnsafeSlow(digests * DIGEST_BYTES);
  for (let at = 0, k = 0; k < digests; at++) {
    const digest = columns.digestAt![at]!;
    if (digest >= 0)
      columns.digestBytes!.copy(
        digestBytes,
        k++ * DIGEST_BYTES,
        digest * DIGEST_BYTES,
        (digest + 1) * DIGEST_BYTES,
      );
  }
  const text = strings.concat(links).join('\0');
  return {
    meta,
    count,
    strings: Buffer.from(text, 'utf8'),
    digests: digestBytes,
    numbers,
    xattrs: [],
  };
}
