// The merged file system on interned paths: what each node holds is a number in one column, and
// stacking a layer records what it changed by entry position or by node, with the semantics of
// MergedTree.apply (DESIGN.md "Semantics"), which the tests hold it to.
import type { Change } from '../../api/model';
import type { LayerEntry } from '../layer/layer-index';
import { CHANGE_OF_CODE, IMPLIED_DIR } from '../tree/merged-tree';
import { ROOT, PathTree } from '../tree/path-tree';
import { DIR, FILE, HARDLINK, TYPES, type LayerColumns } from './layer-columns';

/**
 * A placement: which layer's which entry stands at a node, as one number, (layer + 1) * SPAN +
 * position + 1. Position -1 is a directory the layer implied (a parent it wrote no entry for);
 * the root is layer -1's. SPAN exceeds LIMITS.entriesPerLayer.
 */
const SPAN = 2 ** 23;
export const ABSENT = -1;
export const IMPLIED = -1;
export const placement = (layer: number, at: number): number => (layer + 1) * SPAN + at + 1;
export const layerOf = (placed: number): number => Math.floor(placed / SPAN) - 1;
export const positionOf = (placed: number): number => (placed % SPAN) - 1;

export const UNCHANGED = 0;
export const ADDED = 1;
export const MODIFIED = 2;
export const REMOVED = 3;
/** The changes by code: MergedTree's change sets use the same codes. */
export const CHANGES = CHANGE_OF_CODE;

/** A rewrite whose attributes match: modified or unchanged once the contents are compared. */
export interface PendingComparison {
  node: number;
  before: number;
  after: number;
  /** The entry's position, when the changes are kept by position. */
  at?: number;
}

/** What one layer changed: by entry position when it only wrote entries, else by node. */
export class ColumnChanges {
  constructor(
    /** The change of each entry, by position; null when `byNode` holds the changes. */
    readonly codes: Uint8Array | null,
    /** Every node the layer touched, with its change, in the order first touched. */
    readonly byNode: Map<number, number> | null,
    /** What each node the layer touched held before it (ABSENT: nothing), with `byNode`. */
    readonly before: Map<number, number> | null,
    readonly pending: PendingComparison[],
    readonly notes: string[],
  ) {}

  /** How many paths the layer added, modified and removed. */
  counts(): { added: number; modified: number; removed: number } {
    const counts = [0, 0, 0, 0];
    if (this.codes) for (const code of this.codes) counts[code]!++;
    else for (const code of this.byNode!.values()) counts[code]!++;
    return { added: counts[ADDED]!, modified: counts[MODIFIED]!, removed: counts[REMOVED]! };
  }

  /** The changes of those of `paths` the layer of `columns` touched (all of them, `unchanged` too). */
  changesFor(
    paths: ReadonlySet<string>,
    tree: PathTree,
    columns: LayerColumns,
  ): Map<string, Change> {
    const found = new Map<string, Change>();
    const wanted = new Map<number, string>();
    for (const path of paths) {
      const node = tree.findPath(path);
      if (node > ROOT) wanted.set(node, path);
    }
    if (!wanted.size) return found;
    if (this.byNode) {
      for (const [node, path] of wanted) {
        const code = this.byNode.get(node);
        if (code !== undefined) found.set(path, CHANGES[code]!);
      }
      return found;
    }
    for (let at = 0; at < columns.count; at++) {
      const path = wanted.get(columns.node[at]!);
      if (path !== undefined) found.set(path, CHANGES[this.codes![at]!]!);
    }
    return found;
  }

  /** A rewrite whose contents differ. */
  markModified(item: PendingComparison): void {
    if (this.codes && item.at !== undefined) this.codes[item.at] = MODIFIED;
    else this.byNode?.set(item.node, MODIFIED);
  }
}

/**
 * DESIGN.md's comparison of what stands at placement `a` of stack `x` and at `b` of `y` (one
 * stack, or two over one tree): type, size, mode, owner and link target.
 */
export function sameAttributesAcross(
  x: ColumnStack,
  a: number,
  y: ColumnStack,
  b: number,
): boolean {
  const cx = x.columnsOf(a);
  const cy = y.columnsOf(b);
  if (cx && cy) return cx.sameAttributes(positionOf(a), cy, positionOf(b));
  // One side or both an implied directory.
  const [c, at] = cx ? [cx, positionOf(a)] : cy ? [cy, positionOf(b)] : [null, 0];
  return (
    !c ||
    (c.type[at] === DIR &&
      c.size[at] === IMPLIED_DIR.size &&
      c.mode[at] === IMPLIED_DIR.mode &&
      c.uid[at] === IMPLIED_DIR.uid &&
      c.gid[at] === IMPLIED_DIR.gid &&
      !c.links.has(at))
  );
}

export class ColumnStack {
  /** By node: its placement, or ABSENT. */
  private placed: Float64Array;
  private readonly layers: LayerColumns[] = [];

  constructor(readonly tree = new PathTree()) {
    this.placed = new Float64Array(tree.capacity).fill(ABSENT);
    this.placed[ROOT] = placement(-1, IMPLIED);
  }

  /** What stands at `node`: a placement, or ABSENT. */
  placedAt(node: number): number {
    return node < this.placed.length ? this.placed[node]! : ABSENT;
  }

  /** The layer columns a placement's entry is in (undefined for an implied directory). */
  columnsOf(placed: number): LayerColumns | undefined {
    return positionOf(placed) === IMPLIED ? undefined : this.layers[layerOf(placed)];
  }

  /** Calls `fn` with every node below the root that stands in the tree, and its placement. */
  forEachPlaced(fn: (node: number, placed: number) => void): void {
    for (let node = ROOT + 1; node < this.tree.size; node++) {
      const placed = this.placedAt(node);
      if (placed !== ABSENT) fn(node, placed);
    }
  }

  /** The final file system's paths and the bytes of its files. */
  totals(): { paths: number; visibleBytes: number } {
    let paths = 0;
    let visibleBytes = 0;
    this.forEachPlaced((_, placed) => {
      paths++;
      const at = positionOf(placed);
      if (at !== IMPLIED) visibleBytes += this.layers[layerOf(placed)]!.size[at]!;
    });
    return { paths, visibleBytes };
  }

  /** The entry a placement holds (an implied directory's as MergedTree makes it), its path given. */
  entryOf(placed: number, path: string): LayerEntry {
    const columns = this.columnsOf(placed);
    if (columns) return columns.entryAt(positionOf(placed), path);
    return { ...IMPLIED_DIR, path };
  }

  private isDir(placed: number): boolean {
    if (placed === ABSENT) return false;
    const at = positionOf(placed);
    return at === IMPLIED || this.layers[layerOf(placed)]!.type[at] === DIR;
  }

  private sameAttributes(a: number, b: number): boolean {
    return sameAttributesAcross(this, a, this, b);
  }

  /** The present nodes below `node` (itself excluded), parents before children. */
  private below(node: number): number[] {
    const found: number[] = [];
    const tree = this.tree;
    for (let c = tree.firstChildOf(node); c >= 0; c = tree.nextSiblingOf(c))
      if (this.placed[c] !== ABSENT) found.push(c);
    for (let i = 0; i < found.length; i++) {
      for (let c = tree.firstChildOf(found[i]!); c >= 0; c = tree.nextSiblingOf(c))
        if (this.placed[c] !== ABSENT) found.push(c);
    }
    return found;
  }

  private ensureRoom(): void {
    if (this.placed.length >= this.tree.size) return;
    const placed = new Float64Array(this.tree.capacity).fill(ABSENT);
    placed.set(this.placed);
    this.placed = placed;
  }

  /** Stacks `columns` as layer `layerNo` (every lower layer stacked already) and reports what it changed. */
  apply(columns: LayerColumns, layerNo: number): ColumnChanges {
    this.layers[layerNo] = columns;
    this.ensureRoom();
    const { tree, placed } = this;
    const notes: string[] = [];
    const before = new Map<number, number>();
    const count = columns.count;
    // While only entries were placed (nothing removed or implied), what each replaced stands in
    // wasList and `before` is empty; `before` gets them all, in order, when that ends.
    const wasList = new Float64Array(count);
    let at = 0;
    let onlyEntries = true;
    const remember = (node: number, was: number): void => {
      if (!before.has(node)) before.set(node, was);
    };
    const rememberOther = (node: number, was: number): void => {
      if (onlyEntries) {
        onlyEntries = false;
        for (let i = 0; i < at; i++) before.set(columns.node[i]!, wasList[i]!);
      }
      remember(node, was);
    };
    const removeBelow = (node: number): void => {
      for (const n of this.below(node)) {
        rememberOther(n, placed[n]!);
        placed[n] = ABSENT;
      }
    };

    for (const node of columns.opaqueDirs) if (placed[node] !== ABSENT) removeBelow(node);
    for (const node of columns.whiteouts) {
      if (placed[node] === ABSENT) continue;
      rememberOther(node, placed[node]!);
      removeBelow(node);
      placed[node] = ABSENT;
    }
    const ancestors: number[] = [];
    let parent = -1;
    while (at < count) {
      const node = columns.node[at]!;
      if (columns.type[at] === HARDLINK) {
        const link = columns.links.get(at)!;
        const target = tree.findPath(link);
        const path = tree.pathOf(node);
        if (target < 0 || placed[target] === ABSENT)
          notes.push(`the hardlink ${path} points to ${link}, which does not exist`);
        else if (this.isDir(placed[target]!))
          notes.push(`the hardlink ${path} points to the directory ${link}`);
      }
      // Entries come grouped by directory: their parent is made sure of once for each run of them
      // (an entry can replace no directory above its own parent).
      if (tree.parentOf(node) !== parent) {
        parent = tree.parentOf(node);
        ancestors.length = 0;
        for (let a = parent; a !== ROOT; a = tree.parentOf(a)) ancestors.push(a);
        for (let i = ancestors.length - 1; i >= 0; i--) {
          const dir = ancestors[i]!;
          const was = placed[dir]!;
          if (this.isDir(was)) continue;
          // Missing, or a non-directory standing where a directory must be: the later layer wins.
          rememberOther(dir, was);
          if (was !== ABSENT) {
            const type = TYPES[this.columnsOf(was)!.type[positionOf(was)]!];
            notes.push(
              `${tree.pathOf(node)} is written through ${tree.pathOf(dir)}, which a lower layer made a ${type}; it is read as a directory`,
            );
          }
          placed[dir] = placement(layerNo, IMPLIED);
        }
      }
      const existing = placed[node]!;
      if (!onlyEntries) remember(node, existing);
      wasList[at++] = existing;
      // A directory replaced by a non-directory takes what was below it along.
      if (this.isDir(existing) && columns.type[at - 1] !== DIR) removeBelow(node);
      placed[node] = placement(layerNo, at - 1);
    }

    const pending: PendingComparison[] = [];
    const classify = (node: number, was: number, now: number, at?: number): number => {
      if (was === ABSENT) return now === ABSENT ? UNCHANGED : ADDED;
      if (now === ABSENT) return REMOVED;
      if (!this.sameAttributes(was, now)) return MODIFIED;
      const c = this.columnsOf(now);
      const p = positionOf(now);
      if (c && c.type[p] === FILE && c.size[p]! > 0 && now !== was)
        pending.push(
          at === undefined
            ? { node, before: was, after: now }
            : { node, before: was, after: now, at },
        );
      return UNCHANGED;
    };
    if (onlyEntries) {
      const codes = new Uint8Array(count);
      for (let i = 0; i < count; i++) {
        const was = wasList[i]!;
        codes[i] =
          was === ABSENT ? ADDED : classify(columns.node[i]!, was, placement(layerNo, i), i);
      }
      return new ColumnChanges(codes, null, null, pending, notes);
    }
    const byNode = new Map<number, number>();
    for (const [node, was] of before) {
      const now = placed[node]!;
      if (was !== ABSENT || now !== ABSENT) byNode.set(node, classify(node, was, now));
    }
    return new ColumnChanges(null, byNode, before, pending, notes);
  }
}
