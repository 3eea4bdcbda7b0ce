// dive's efficiency figures, reproduced step by step (REFERENCE.md, "dive's figures"), so that
// thresholds teams tuned for dive keep their meaning. Strata's own figures are efficiency.ts.
import type { Efficiency } from '../../api/model';
import { WHITEOUT_PREFIX } from '../layer/entry-path';
import type { LayerIndex } from '../layer/layer-index';
import { DIR, FILE, type LayerColumns } from '../columns/layer-columns';
import { grown } from '../tree/grown';
import { runAtOnce, turnClock, type Steps } from '../io/next-turn';
import { INITIAL_NODES, PathTree, ROOT } from '../tree/path-tree';

/**
 * dive's figures. dive builds a tree per layer (every path component a node, whiteouts as
 * `.wh.NAME` nodes), counts each leaf of it by path, and stacks it onto the trees below (whiteouts
 * remove, everything else adds or updates in place, keeping a replaced directory's children).
 * The same is computed here from the layer's entries without building its tree: a leaf is an
 * entry or whiteout that is no other's ancestor within the layer. Layers are given one at a time,
 * base first, so that an image's loader can count each as it stacks it.
 *
 * The stacked tree is a PathTree with its state in columns by node: a node a whiteout removed
 * stays in the path tree, marked absent, and keeps its path's column of sums for when the path
 * is placed again. A present node's parent is present.
 */
export class DiveStack {
  private readonly tree: PathTree;
  // By node (a path): dive's sums, the total and the least of the sizes its leaves counted and
  // how many times; its size, whether it is a real directory entry (dive's implicit parents are
  // not), whether it stands in the stacked tree, and the last layer + 1 in which something was
  // placed below it (it was no leaf there).
  private cumulatives: Float64Array;
  private mins: Float64Array;
  private counts: Uint32Array;
  private sizes: Float64Array;
  private dirs: Uint8Array;
  private present: Uint8Array;
  private innerIn: Int32Array;
  private layers = 0;
  private userSize = 0;

  /**
   * `nodes`: the paths to hold room for at first (PathTree's INITIAL_NODES); `tree`: the image's
   * path tree, for layers given as columns of it (addColumnsSteps).
   */
  constructor(nodes = INITIAL_NODES, tree = new PathTree(nodes)) {
    this.tree = tree;
    nodes = Math.max(nodes, tree.capacity);
    this.cumulatives = new Float64Array(nodes);
    this.mins = new Float64Array(nodes);
    this.counts = new Uint32Array(nodes);
    this.sizes = new Float64Array(nodes);
    this.dirs = new Uint8Array(nodes);
    this.present = new Uint8Array(nodes);
    this.innerIn = new Int32Array(nodes);
    this.dirs[ROOT] = 1;
    this.present[ROOT] = 1;
  }

  /** Counts a leaf at `node`'s path. */
  private count(node: number, size: number): void {
    this.cumulatives[node]! += size;
    if (size < this.mins[node]! || this.counts[node] === 0) this.mins[node] = size;
    this.counts[node]!++;
  }

  /** Makes `node` stand in the stacked tree (fresh, if it did not). */
  private stand(node: number): void {
    if (!this.present[node]) {
      this.present[node] = 1;
      this.sizes[node] = 0;
      this.dirs[node] = 0;
      this.innerIn[node] = 0;
    }
  }

  /**
   * Places `dir` and every directory on the way to it (as dive's implicit nodes) where absent,
   * and marks them as holding something placed in `layer`.
   */
  private placeDir(layer: number, dir: number): void {
    for (let node = dir; node !== ROOT; node = this.tree.parentOf(node)) {
      this.stand(node);
      this.innerIn[node] = layer + 1;
    }
  }

  /** The present nodes of the subtree at `node`, itself first. */
  private forEachPresent(node: number, fn: (node: number) => void): void {
    const stack = [node];
    while (stack.length) {
      const n = stack.pop()!;
      fn(n);
      for (let c = this.tree.firstChildOf(n); c >= 0; c = this.tree.nextSiblingOf(c))
        if (this.present[c]) stack.push(c);
    }
  }

  private grow(length: number): void {
    this.cumulatives = grown(this.cumulatives, length);
    this.mins = grown(this.mins, length);
    this.counts = grown(this.counts, length);
    this.sizes = grown(this.sizes, length);
    this.dirs = grown(this.dirs, length);
    this.present = grown(this.present, length);
    this.innerIn = grown(this.innerIn, length);
  }

  /** Stacks the next layer up. */
  add(index: LayerIndex): void {
    runAtOnce(this.addSteps(index));
  }

  /** `add` in steps, pausing every few milliseconds. */
  *addSteps(index: LayerIndex): Steps<void> {
    const due = turnClock();
    const { tree } = this;
    const { entries } = index;
    const nodes = new Int32Array(entries.length);
    const sizes = new Float64Array(entries.length);
    const dirs = new Uint8Array(entries.length);
    // Entries come grouped by directory: the last parent is looked up once for its run.
    let parentPath = '';
    let parent = ROOT;
    for (let i = 0; i < entries.length; i++) {
      if ((i & 1023) === 1023 && due()) yield;
      const { path, type, size } = entries[i]!;
      const slash = path.lastIndexOf('/');
      if (slash !== parentPath.length || !path.startsWith(parentPath)) {
        parentPath = path.slice(0, slash);
        parent = tree.internPath(parentPath);
      }
      nodes[i] = tree.intern(parent, path, slash + 1);
      if (type === 'file') sizes[i] = size;
      else if (type === 'dir') dirs[i] = 1;
    }
    const whiteouts = tree.internPaths(index.whiteouts);
    yield* this.stackSteps(index.size, nodes, sizes, dirs, whiteouts, due);
  }

  /**
   * Stacks the next layer up, given as columns whose nodes are of this stack's tree (made with
   * the tree of the image's columns).
   */
  *addColumnsSteps(columns: LayerColumns, layerSize: number): Steps<void> {
    const sizes = new Float64Array(columns.count);
    const dirs = new Uint8Array(columns.count);
    for (let at = 0; at < columns.count; at++) {
      if (columns.type[at] === FILE) sizes[at] = columns.size[at]!;
      else if (columns.type[at] === DIR) dirs[at] = 1;
    }
    yield* this.stackSteps(layerSize, columns.node, sizes, dirs, columns.whiteouts, turnClock());
  }

  /** The `.wh.NAME` node dive keeps in a layer's tree for a whiteout of `target`. */
  private whiteoutNode(target: number): number {
    return this.tree.intern(this.tree.parentOf(target), WHITEOUT_PREFIX + this.tree.nameOf(target));
  }

  /**
   * The whiteouts that are no leaves of their layer's tree: something of the layer lies below
   * their `.wh.NAME` node. Only entries with such a name in their path can.
   */
  private innerWhiteouts(entries: Int32Array, whiteoutNodes: Int32Array): Set<number> {
    const inner = new Set<number>();
    const candidates = new Set(whiteoutNodes);
    const mark = (node: number): void => {
      for (let a = this.tree.parentOf(node); a > ROOT; a = this.tree.parentOf(a))
        if (candidates.has(a)) inner.add(a);
    };
    entries.forEach(mark);
    whiteoutNodes.forEach(mark);
    return inner;
  }

  private *stackSteps(
    layerSize: number,
    entries: Int32Array,
    sizes: Float64Array,
    dirs: Uint8Array,
    whiteouts: Int32Array,
    due: () => boolean,
  ): Steps<void> {
    const layer = this.layers++;
    if (layer > 0) this.userSize += layerSize;
    const whiteoutNodes = whiteouts.map((target) => this.whiteoutNode(target));
    if (this.tree.size > this.present.length) this.grow(this.tree.capacity);
    const inner = whiteouts.length ? this.innerWhiteouts(entries, whiteoutNodes) : null;
    // Whiteout leaves count what they delete from the layers below: first, before stacking.
    whiteouts.forEach((target, i) => {
      if (inner!.has(whiteoutNodes[i]!)) return;
      let below = 0;
      if (this.present[target] && this.dirs[target])
        this.forEachPresent(target, (n) => (below += this.sizes[n]!));
      this.count(target, below);
    });
    // Stacking: entries first, then whiteouts (a whiteout's node comes after the entries' in its
    // directory, and one below an entry of the same layer removes what that entry placed). An
    // entry is a leaf when nothing of its layer lies below it: the nodes on the way to every
    // entry and whiteout are marked, then the entries counted.
    for (const target of whiteouts) this.placeDir(layer, this.tree.parentOf(target));
    let parent = -1;
    for (let i = 0; i < entries.length; i++) {
      if ((i & 1023) === 1023 && due()) yield;
      const node = entries[i]!;
      // Entries come grouped by directory: a run of them places its directory once.
      if (this.tree.parentOf(node) !== parent) {
        parent = this.tree.parentOf(node);
        this.placeDir(layer, parent);
      }
      this.stand(node);
    }
    for (let i = 0; i < entries.length; i++) {
      if ((i & 1023) === 1023 && due()) yield;
      const node = entries[i]!;
      const size = sizes[i]!;
      const leaf = this.innerIn[node] !== layer + 1;
      if (leaf) this.count(node, size);
      if (size || dirs[i] || leaf) {
        this.sizes[node] = size;
        this.dirs[node] = dirs[i]!;
      }
    }
    for (const target of whiteouts)
      if (this.present[target]) this.forEachPresent(target, (n) => (this.present[n] = 0));
  }

  /** The figures of the layers stacked so far. */
  figures(): Efficiency {
    let minimum = 0;
    let cumulative = 0;
    let wastedBytes = 0;
    for (let node = ROOT + 1; node < this.tree.size; node++) {
      if (!this.counts[node]) continue;
      minimum += this.mins[node]!;
      cumulative += this.cumulatives[node]!;
      if (this.counts[node]! > 1) wastedBytes += this.cumulatives[node]!;
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
