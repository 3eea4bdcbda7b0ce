// dive's efficiency figures, reproduced step by step (REFERENCE.md, "dive's figures"), so that
// thresholds teams tuned for dive keep their meaning. Strata's own figures are efficiency.ts.
import type { Efficiency } from '../../api/model';
import { WHITEOUT_PREFIX } from '../layer/entry-path';
import type { LayerIndex } from '../layer/layer-index';

class DiveNode {
  children: Map<string, DiveNode> | null = null;
  /** This path's column in dive's per-path sums once it has been a leaf; -1 before. */
  slot = -1;
  /** The last layer in which something was placed below this node: it was no leaf there. */
  innerIn = -1;
  constructor(
    public size: number,
    /** A real directory entry; dive's implicit parents are not directories. */
    public isDir: boolean,
  ) {}

  child(name: string): DiveNode {
    this.children ??= new Map();
    let node = this.children.get(name);
    if (!node) this.children.set(name, (node = new DiveNode(0, false)));
    return node;
  }
}

/** Every proper ancestor (not the root) of the given absolute paths. */
function ancestorsOf(paths: Iterable<string>): Set<string> {
  const dirs = new Set<string>();
  let last = '';
  for (const path of paths) {
    const first = path.lastIndexOf('/');
    // Paths come grouped by directory: the run's parent was added already.
    if (first === last.length && path.startsWith(last)) continue;
    last = path.slice(0, first);
    for (let slash = first; slash > 0; slash = path.lastIndexOf('/', slash - 1)) {
      const dir = path.slice(0, slash);
      if (dirs.has(dir)) break; // and so are all of its own ancestors
      dirs.add(dir);
    }
  }
  return dirs;
}

/** The `.wh.NAME` path dive keeps in a layer's tree for a whiteout of `target`. */
function whiteoutPath(target: string): string {
  const slash = target.lastIndexOf('/');
  return `${target.slice(0, slash)}/${WHITEOUT_PREFIX}${target.slice(slash + 1)}`;
}

/**
 * The node at `path` in the stacked tree, created (as dive's implicit nodes) where missing, and
 * every node on the way to it marked as holding something placed in `layer`.
 */
function place(root: DiveNode, layer: number, path: string, upTo = path.length): DiveNode {
  let node = root;
  let at = 1;
  while (at < upTo) {
    let slash = path.indexOf('/', at);
    if (slash < 0 || slash > upTo) slash = upTo;
    node = node.child(path.slice(at, slash));
    node.innerIn = layer;
    at = slash + 1;
  }
  return node;
}

function sizeBelow(node: DiveNode): number {
  let total = 0;
  const stack = [node];
  while (stack.length) {
    const n = stack.pop()!;
    total += n.size;
    if (n.children) stack.push(...n.children.values());
  }
  return total;
}

function getNode(root: DiveNode, path: string): DiveNode | undefined {
  let node: DiveNode | undefined = root;
  for (const name of path.slice(1).split('/')) node = node?.children?.get(name);
  return node;
}

/** `array` moved into a longer one of `length`, the new part filled with `fill` when given. */
function grown<T extends Float64Array | Uint32Array>(array: T, length: number, fill?: number): T {
  const next = new (array.constructor as new (length: number) => T)(length);
  if (fill !== undefined) next.fill(fill, array.length);
  next.set(array);
  return next;
}

/**
 * dive's figures. dive builds a tree per layer (every path component a node, whiteouts as
 * `.wh.NAME` nodes), counts each leaf of it by path, and stacks it onto the trees below (whiteouts
 * remove, everything else adds or updates in place, keeping a replaced directory's children).
 * The same is computed here from the layer's entries without building its tree: a leaf is an
 * entry or whiteout that is no other's ancestor within the layer. Layers are given one at a time,
 * base first, so that an image's loader can count each as it stacks it.
 */
export class DiveStack {
  // dive's sums per path, in columns: the total and the least of its sizes, and how many times.
  // A path's column is kept on its node in the stacked tree; a path whose node a whiteout
  // removed keeps it in `buried` until the path is placed again.
  private cumulatives = new Float64Array(0);
  private mins = new Float64Array(0);
  private counts = new Uint32Array(0);
  private columns = 0;
  private readonly buried = new Map<string, number>();
  private readonly stacked = new DiveNode(0, true);
  private layers = 0;
  private userSize = 0;

  private slotOf(path: string, node: DiveNode | undefined): number {
    if (node && node.slot >= 0) return node.slot;
    let slot = this.buried.size ? this.buried.get(path) : undefined;
    if (slot === undefined) {
      slot = this.columns++;
      if (!node) this.buried.set(path, slot);
    } else if (node) this.buried.delete(path);
    if (node) node.slot = slot;
    return slot;
  }

  private count(slot: number, size: number): void {
    this.cumulatives[slot]! += size;
    if (size < this.mins[slot]!) this.mins[slot] = size;
    this.counts[slot]!++;
  }

  /** Detaches `node` (at `path`), keeping the columns of every path below it. */
  private bury(path: string, node: DiveNode): void {
    const stack: [string, DiveNode][] = [[path, node]];
    while (stack.length) {
      const [p, n] = stack.pop()!;
      if (n.slot >= 0) this.buried.set(p, n.slot);
      if (n.children) for (const [name, child] of n.children) stack.push([`${p}/${name}`, child]);
    }
  }

  /** Stacks the next layer up. */
  add(index: LayerIndex): void {
    // At most one new column per entry and whiteout.
    const needed = this.columns + index.entries.length + index.whiteouts.length;
    if (this.counts.length < needed) {
      const length = Math.max(needed, Math.ceil(this.counts.length * 1.5));
      this.cumulatives = grown(this.cumulatives, length);
      this.mins = grown(this.mins, length, Infinity);
      this.counts = grown(this.counts, length);
    }
    const layer = this.layers++;
    if (layer > 0) this.userSize += index.size;
    const stacked = this.stacked;
    const whiteoutPaths = index.whiteouts.map(whiteoutPath);
    // A whiteout is a leaf unless something of its layer lies below its `.wh.NAME` path: only
    // entries with such a name in their path can.
    const belowWhiteouts = whiteoutPaths.length
      ? ancestorsOf([
          ...index.entries
            .map((e) => e.path)
            .filter((path) => path.includes(`/${WHITEOUT_PREFIX}`)),
          ...whiteoutPaths,
        ])
      : null;
    // Whiteout leaves count what they delete from the layers below: first, before stacking.
    for (const [i, target] of index.whiteouts.entries()) {
      if (belowWhiteouts!.has(whiteoutPaths[i]!)) continue;
      const previous = getNode(stacked, target);
      this.count(this.slotOf(target, previous), previous?.isDir ? sizeBelow(previous) : 0);
    }
    // Stacking: entries first, then whiteouts (a whiteout's node comes after the entries' in its
    // directory, and one below an entry of the same layer removes what that entry placed). An
    // entry is a leaf when nothing of its layer lies below it: the nodes on the way to every
    // entry and whiteout are marked, then the entries counted.
    // Entries come grouped by directory: the last parent is looked up once for its run.
    for (const target of index.whiteouts) place(stacked, layer, target, target.lastIndexOf('/'));
    let parentPath = '';
    let parent = stacked;
    const placed: DiveNode[] = new Array<DiveNode>(index.entries.length);
    for (const [i, entry] of index.entries.entries()) {
      const slash = entry.path.lastIndexOf('/');
      if (slash !== parentPath.length || !entry.path.startsWith(parentPath)) {
        parentPath = entry.path.slice(0, slash);
        parent = place(stacked, layer, parentPath);
      }
      placed[i] = parent.child(entry.path.slice(slash + 1));
    }
    for (const [i, entry] of index.entries.entries()) {
      const node = placed[i]!;
      const size = entry.type === 'file' ? entry.size : 0;
      const isDir = entry.type === 'dir';
      const leaf = node.innerIn !== layer;
      if (leaf) this.count(this.slotOf(entry.path, node), size);
      if (size || isDir || leaf) {
        node.size = size;
        node.isDir = isDir;
      }
    }
    for (const target of index.whiteouts) {
      const slash = target.lastIndexOf('/');
      const dir = place(stacked, layer, target, slash);
      const name = target.slice(slash + 1);
      const gone = dir.children?.get(name);
      if (gone) {
        this.bury(target, gone);
        dir.children!.delete(name);
      }
    }
  }

  /** The figures of the layers stacked so far. */
  figures(): Efficiency {
    let minimum = 0;
    let cumulative = 0;
    let wastedBytes = 0;
    for (let slot = 0; slot < this.columns; slot++) {
      minimum += this.mins[slot]!;
      cumulative += this.cumulatives[slot]!;
      if (this.counts[slot]! > 1) wastedBytes += this.cumulatives[slot]!;
    }
    return {
      score: cumulative === 0 ? 1 : minimum / cumulative,
      wastedBytes,
      userWastedPercent: this.userSize === 0 ? 0 : wastedBytes / this.userSize,
    };
  }
}

/** dive's figures of a whole stack of layers, base first. */
export function diveEfficiency(indexes: readonly LayerIndex[]): Efficiency {
  const stack = new DiveStack();
  for (const index of indexes) stack.add(index);
  return stack.figures();
}
