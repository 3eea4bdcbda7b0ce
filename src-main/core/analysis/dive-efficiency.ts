// dive's efficiency figures, reproduced step by step (REFERENCE.md, "dive's figures"), so that
// thresholds teams tuned for dive keep their meaning. Strata's own figures are efficiency.ts.
import type { Efficiency } from '../../api/model';
import { WHITEOUT_PREFIX } from '../layer/entry-path';
import type { LayerIndex } from '../layer/layer-index';
import { grown } from '../tree/grown';
import { runAtOnce, turnClock, type Steps } from '../io/next-turn';
import { INITIAL_NODES, PathTree, ROOT } from '../tree/path-tree';

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

  /** `nodes`: the paths to hold room for at first (PathTree's INITIAL_NODES). */
  constructor(nodes = INITIAL_NODES) {
    this.tree = new PathTree(nodes);
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

  /** The child of `parent` named by `path.slice(from, to)` in the stacked tree, placed where absent. */
  private child(parent: number, path: string, from: number, to: number): number {
    const node = this.tree.intern(parent, path, from, to);
    if (node >= this.present.length) this.grow(this.tree.capacity);
    if (!this.present[node]) {
      this.present[node] = 1;
      this.sizes[node] = 0;
      this.dirs[node] = 0;
      this.innerIn[node] = 0;
    }
    return node;
  }

  /**
   * The node of `path.slice(0, upTo)` in the stacked tree, placed (as dive's implicit nodes) where
   * absent, and every node on the way to it marked as holding something placed in `layer`.
   */
  private place(layer: number, path: string, upTo: number): number {
    let node = ROOT;
    for (let at = 1; at < upTo;) {
      let slash = path.indexOf('/', at);
      if (slash < 0 || slash > upTo) slash = upTo;
      node = this.child(node, path, at, slash);
      this.innerIn[node] = layer + 1;
      at = slash + 1;
    }
    return node;
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
    const layer = this.layers++;
    if (layer > 0) this.userSize += index.size;
    const { tree } = this;
    const { entries } = index;
    const whiteoutPaths = index.whiteouts.map(whiteoutPath);
    // A whiteout is a leaf unless something of its layer lies below its `.wh.NAME` path: only
    // entries with such a name in their path can.
    const belowWhiteouts = whiteoutPaths.length
      ? ancestorsOf([
          ...entries.flatMap(({ path }) => (path.includes(`/${WHITEOUT_PREFIX}`) ? [path] : [])),
          ...whiteoutPaths,
        ])
      : null;
    // Whiteout leaves count what they delete from the layers below: first, before stacking.
    for (const [i, target] of index.whiteouts.entries()) {
      if (belowWhiteouts!.has(whiteoutPaths[i]!)) continue;
      const previous = tree.findPath(target);
      if (previous >= 0 && this.present[previous]) {
        let below = 0;
        if (this.dirs[previous]) this.forEachPresent(previous, (n) => (below += this.sizes[n]!));
        this.count(previous, below);
      } else {
        const node = tree.internPath(target);
        if (node >= this.present.length) this.grow(this.tree.capacity);
        this.count(node, 0);
      }
    }
    // Stacking: entries first, then whiteouts (a whiteout's node comes after the entries' in its
    // directory, and one below an entry of the same layer removes what that entry placed). An
    // entry is a leaf when nothing of its layer lies below it: the nodes on the way to every
    // entry and whiteout are marked, then the entries counted.
    // Entries come grouped by directory: the last parent is looked up once for its run.
    for (const target of index.whiteouts) this.place(layer, target, target.lastIndexOf('/'));
    let parentPath = '';
    let parent = ROOT;
    const placed = new Int32Array(entries.length);
    for (let i = 0; i < entries.length; i++) {
      if ((i & 1023) === 1023 && due()) yield;
      const path = entries[i]!.path;
      const slash = path.lastIndexOf('/');
      if (slash !== parentPath.length || !path.startsWith(parentPath)) {
        parentPath = path.slice(0, slash);
        parent = this.place(layer, path, slash);
      }
      placed[i] = this.child(parent, path, slash + 1, path.length);
    }
    for (let i = 0; i < entries.length; i++) {
      if ((i & 1023) === 1023 && due()) yield;
      const entry = entries[i]!;
      const node = placed[i]!;
      const size = entry.type === 'file' ? entry.size : 0;
      const isDir = entry.type === 'dir';
      const leaf = this.innerIn[node] !== layer + 1;
      if (leaf) this.count(node, size);
      if (size || isDir || leaf) {
        this.sizes[node] = size;
        this.dirs[node] = isDir ? 1 : 0;
      }
    }
    for (const target of index.whiteouts) {
      const slash = target.lastIndexOf('/');
      const dir = this.place(layer, target, slash);
      const gone = tree.find(dir, target, slash + 1, target.length);
      if (gone >= 0 && this.present[gone]) this.forEachPresent(gone, (n) => (this.present[n] = 0));
    }
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
