// The tree a file view shows for one layer: the whole file system as of that layer (with the
// paths it removed), or only what the layer changed (with their ancestors for context).
// Built once per (image, layer, mode) and shared by every view of it.
import type { Change, EntryType } from '../../api/model';
import type { RowDiff, ViewMode } from '../../api/explorer';

export type { ViewMode };
import { changesOf, type ImageModel } from '../image/load-image';
import { stateAsOf, treeAtSteps } from '../image/layer-view';
import { baseName, parentOf } from '../layer/entry-path';
import type { FsNode, LayerChangeSet, Placed } from '../tree/merged-tree';
import { nextTurn, runAtOnce, turnClock, type Steps } from '../io/next-turn';

/** A directory's children that hold nothing (files, links, ...): their nodes made on demand. */
class Leaves {
  readonly states: Placed[] = [];
  readonly changes: Change[] = [];
  /** The nodes made one by one (a filter's matches), by position, until every one is made. */
  nodes: Map<number, ViewNode> | null = null;

  node(i: number): ViewNode {
    this.nodes ??= new Map();
    let node = this.nodes.get(i);
    if (!node) this.nodes.set(i, (node = this.make(i)));
    return node;
  }

  /** Every node, in order, those made already among them. */
  all(): ViewNode[] {
    const made = this.nodes;
    this.nodes = null;
    return this.states.map((_, i) => made?.get(i) ?? this.make(i));
  }

  private make(i: number): ViewNode {
    const placed = this.states[i]!;
    const { path, size } = placed.entry;
    const node = new ViewNode(
      path,
      path.slice(path.lastIndexOf('/') + 1),
      placed,
      this.changes[i]!,
    );
    node.totalSize = size;
    return node;
  }
}

export class ViewNode {
  /** The children that may hold others (directories), made as the tree is built. */
  private holders: ViewNode[] | null = null;
  /**
   * The other children, kept as their states and changes: a layer's view of 80k files shows a
   * few directories first, so their nodes are made when first asked for.
   */
  private leaves: Leaves | null = null;
  /** Holders, then leaves, once every leaf is made. */
  private all: readonly ViewNode[] | null = null;
  /** Bytes of regular files at and below this node, not counting removed paths. */
  totalSize = 0;
  /** Paths below this node that the layer added, modified or removed. */
  changedBelow = 0;
  /** In a comparison: both sides' sizes and what changed. */
  declare diff?: RowDiff;
  constructor(
    readonly path: string,
    readonly name: string,
    readonly placed: Placed,
    /** Set once, as the view is built (a directory made as a parent gets its entry's later). */
    public change: Change,
  ) {}

  get type(): EntryType {
    return this.placed.entry.type;
  }

  /** Every child, its leaves made on first use; null when nothing lies below. */
  get children(): readonly ViewNode[] | null {
    if (this.all || !this.leaves) return this.all ?? this.holders;
    return this.makeAll(this.leaves);
  }

  private makeAll(leaves: Leaves): readonly ViewNode[] {
    return (this.all = [...(this.holders ?? NO_CHILDREN), ...leaves.all()]);
  }

  /** Makes the node of every leaf now. */
  makeLeaves(): void {
    if (!this.all && this.leaves) this.makeAll(this.leaves);
  }

  get holderChildren(): readonly ViewNode[] | null {
    return this.holders;
  }

  get childCount(): number {
    return (this.holders?.length ?? 0) + this.leafCount;
  }

  get leafCount(): number {
    return this.leaves?.states.length ?? 0;
  }

  leafState(i: number): Placed {
    return this.leaves!.states[i]!;
  }

  leafChange(i: number): Change {
    return this.leaves!.changes[i]!;
  }

  /** The node of leaf `i`, if made. */
  madeLeaf(i: number): ViewNode | undefined {
    return this.all ? this.all[(this.holders?.length ?? 0) + i] : this.leaves?.nodes?.get(i);
  }

  /** The node of leaf `i`, made on first use. */
  leafNode(i: number): ViewNode {
    if (this.all) return this.all[(this.holders?.length ?? 0) + i]!;
    const leaves = this.leaves!;
    const node = leaves.node(i);
    // Every leaf made one by one (a filter that kept them all): one list from now on.
    if (leaves.nodes!.size === leaves.states.length) this.makeAll(leaves);
    return node;
  }

  /** While the tree is built: a child that may hold others. */
  addChild(node: ViewNode): void {
    (this.holders ??= []).push(node);
  }

  /** While the tree is built: a child that holds nothing. */
  addLeaf(placed: Placed, change: Change): void {
    const leaves = (this.leaves ??= new Leaves());
    leaves.states.push(placed);
    leaves.changes.push(change);
  }
}

const NO_CHILDREN: readonly ViewNode[] = Object.freeze([]);

const trees = new WeakMap<ImageModel, Map<string, ViewNode>>();
/**
 * View trees kept per image: each holds a node per path (a layer's changes: per directory, and
 * per other path once shown), and layers are clicked through in turn.
 */
const KEPT_TREES = 4;

/** Trees being made in turns of the event loop (ahead, or for a view about to open), by image and key. */
const building = new WeakMap<ImageModel, Map<string, Steps<ViewNode>>>();

export function viewTree(model: ImageModel, layer: number, mode: ViewMode): ViewNode {
  const key = `${layer}:${mode}`;
  let root = trees.get(model)?.get(key);
  if (!root) {
    // A tree being made in turns is finished now, at once, rather than made a second time.
    const ahead = building.get(model)?.get(key);
    root = runAtOnce(ahead ?? viewTreeSteps(model, layer, mode, () => false));
  }
  keep(model, key, root);
  return root;
}

/** Keeps `root` as the most recently used tree of its image. */
function keep(model: ImageModel, key: string, root: ViewNode): void {
  let perModel = trees.get(model);
  if (!perModel) trees.set(model, (perModel = new Map()));
  perModel.delete(key);
  perModel.set(key, root);
  for (const old of perModel.keys()) {
    if (perModel.size <= KEPT_TREES) break;
    perModel.delete(old);
  }
}

/** The view tree of (`layer`, `mode`) if it is kept, without counting as a use of it. */
export function keptViewTree(
  model: ImageModel,
  layer: number,
  mode: ViewMode,
): ViewNode | undefined {
  return trees.get(model)?.get(`${layer}:${mode}`);
}

/** Whether the view tree of (`layer`, `mode`) is kept already. */
export function hasViewTree(model: ImageModel, layer: number, mode: ViewMode): boolean {
  return trees.get(model)?.has(`${layer}:${mode}`) ?? false;
}

/**
 * Makes the view tree of (`layer`, `mode`) ahead of its first view, in turns of the event loop
 * while `stillOpen()`, where the kept trees have room: one made ahead never pushes out one a view
 * used. True when it is kept now.
 */
export async function makeViewTreeAhead(
  model: ImageModel,
  layer: number,
  mode: ViewMode,
  stillOpen: () => boolean = () => true,
): Promise<boolean> {
  if (hasViewTree(model, layer, mode)) return true;
  if ((trees.get(model)?.size ?? 0) >= KEPT_TREES) return false;
  await buildInTurns(model, layer, mode, stillOpen);
  return hasViewTree(model, layer, mode);
}

/**
 * Makes the view tree of (`layer`, `mode`) in turns of the event loop, unless it is kept or being
 * made already, for a view about to ask for it: the whole file system of a million paths takes
 * 1-1.6 s to make, which would hold every other request meanwhile.
 */
export async function prepareViewTree(
  model: ImageModel,
  layer: number,
  mode: ViewMode,
): Promise<void> {
  if (hasViewTree(model, layer, mode) || building.get(model)?.has(`${layer}:${mode}`)) return;
  await buildInTurns(model, layer, mode, () => true);
}

async function buildInTurns(
  model: ImageModel,
  layer: number,
  mode: ViewMode,
  stillOpen: () => boolean,
): Promise<void> {
  const key = `${layer}:${mode}`;
  let perModel = building.get(model);
  if (!perModel) building.set(model, (perModel = new Map()));
  const steps = viewTreeSteps(model, layer, mode, turnClock());
  perModel.set(key, steps);
  try {
    for (;;) {
      // Done here, or by a view that asked for the tree meanwhile (which keeps it).
      const step = steps.next();
      if (step.done) {
        if (step.value && !hasViewTree(model, layer, mode)) keep(model, key, step.value);
        return;
      }
      await nextTurn();
      if (!stillOpen()) return;
    }
  } finally {
    perModel.delete(key);
  }
}

/** How many paths a tree's loops take between two looks at the clock. */
const PATHS_PER_LOOK = 512;

/** Builds the view tree of (`layer`, `mode`), pausing where `due()` says a turn is due. */
function* viewTreeSteps(
  model: ImageModel,
  layer: number,
  mode: ViewMode,
  due: () => boolean,
): Steps<ViewNode> {
  const changeSet = changesOf(model, layer);
  const root = new ViewNode('/', '', model.tree.root.placed, 'unchanged');
  /** Directories only: what a removed path or a changed one hangs under. */
  const dirs = new Map<string, ViewNode>([['/', root]]);
  // The changes of a layer that only wrote come with the state each path was left in, and their
  // parents are found in the final tree where no later layer touched them: the tree as of the
  // layer is not made. Otherwise it is, and changed paths, grouped by directory, are looked up
  // in it a run of siblings at a time.
  const wholeTree = mode === 'aggregate' || !changeSet.onlyWrote;
  const tree = wholeTree ? yield* treeAtSteps(model, layer, due) : null;
  const lookup = tree ? tree.cachedLookup() : null;
  /** A path's state as of this layer; what the layer removed is only in the before-state. */
  const stateOf = (path: string, change: Change): Placed =>
    change === 'removed'
      ? changeSet.before.get(path)!
      : ((lookup ? lookup(path)?.placed : stateAsOf(model, layer, path)) ??
        changeSet.before.get(path)!);

  /**
   * The view node of the directory `path`, made (with its ancestors) where missing. Made as a
   * parent before its own entry came, it is unchanged until that entry says otherwise.
   */
  const dirFor = (path: string): ViewNode => {
    const existing = dirs.get(path);
    if (existing) return existing;
    const node = new ViewNode(path, baseName(path), stateOf(path, 'unchanged'), 'unchanged');
    dirFor(parentOf(path)).addChild(node);
    dirs.set(path, node);
    return node;
  };

  if (mode === 'aggregate') {
    const changeOf = yield* changeSet.placedChangeSteps(due);
    yield* copyTree(tree!.root, root, dirs, changeSet, changeOf, layer, due);
  }
  let parentPath = '/';
  let parent = root;
  const place = (path: string, change: Change, left?: Placed): void => {
    if (change === 'unchanged' || (mode !== 'changes' && change !== 'removed')) return;
    const placed = left ?? stateOf(path, change);
    // What may hold others: a directory, or a path written over a directory (its old children
    // show, removed, below it), whichever came first, the path or something below it.
    const holds = placed.entry.type === 'dir' || (change === 'modified' && !changeSet.onlyWrote);
    if (holds) {
      const existing = dirs.get(path);
      if (existing) {
        existing.change = change;
        return;
      }
    }
    const slash = path.lastIndexOf('/');
    if (slash !== parentPath.length || !path.startsWith(parentPath)) {
      parentPath = slash === 0 ? '/' : path.slice(0, slash);
      parent = dirFor(parentPath);
    }
    if (!holds) return parent.addLeaf(placed, change);
    const node = new ViewNode(path, path.slice(slash + 1), placed, change);
    parent.addChild(node);
    dirs.set(path, node);
  };
  yield* changeSet.forEachChangeSteps(place, due);
  yield* summarizeSizesSteps(root, due);
  // The whole file system is what gets expanded and filtered at large: its file nodes are made
  // now, with the tree (a layer's changes, clicked through in turn, make theirs when shown).
  if (mode === 'aggregate') {
    let made = 0;
    for (const node of flatTree(root).nodes) {
      node.makeLeaves();
      made += node.leafCount + 1;
      if (made >= PATHS_PER_LOOK) {
        made = 0;
        if (due()) yield;
      }
    }
  }
  return root;
}

/**
 * Mirrors the merged tree into view nodes, iteratively (paths may be very deep): a node for each
 * directory, and for what a removed path may come to hang under (a path written over a directory);
 * the others as leaves. Every node's entry carries its path; only what `layer` placed can have a
 * change of its own.
 */
function* copyTree(
  fsRoot: FsNode,
  root: ViewNode,
  dirs: Map<string, ViewNode>,
  changeSet: LayerChangeSet,
  changeOf: (node: Placed) => Change,
  layer: number,
  due: () => boolean,
): Steps<void> {
  const stack: [FsNode, ViewNode][] = [[fsRoot, root]];
  let copied = 0;
  while (stack.length) {
    const [fs, view] = stack.pop()!;
    copied += fs.children!.size;
    if (copied >= PATHS_PER_LOOK) {
      copied = 0;
      if (due()) yield;
    }
    for (const [name, child] of fs.children!) {
      const { placed } = child;
      const path = placed.entry.path;
      const change = placed.layer === layer ? changeOf(placed) : 'unchanged';
      const holds = child.children || (change === 'modified' && !changeSet.onlyWrote);
      if (!holds) {
        view.addLeaf(placed, change);
        continue;
      }
      const node = new ViewNode(path, name, placed, change);
      view.addChild(node);
      dirs.set(path, node);
      if (child.children) stack.push([child, node]);
    }
  }
}

/**
 * The nodes that may hold others, in one array, each after its parent: what a filter walks
 * (with each one's leaves) instead of the tree.
 */
export interface FlatTree {
  /** The root first. */
  nodes: ViewNode[];
  /** Each node's parent's position in `nodes` (-1 for the root). */
  parents: Int32Array;
}

const flatTrees = new WeakMap<ViewNode, FlatTree>();

/** The tree under `root` (made once, by summarizeSizes or on first use: trees do not change after). */
export function flatTree(root: ViewNode): FlatTree {
  let flat = flatTrees.get(root);
  if (!flat) flatTrees.set(root, (flat = flatten(root)));
  return flat;
}

function flatten(root: ViewNode): FlatTree {
  // Breadth first: the array is its own queue, and each node comes after its parent.
  const nodes: ViewNode[] = [root];
  const parents: number[] = [-1];
  for (let at = 0; at < nodes.length; at++) {
    const children = nodes[at]!.holderChildren;
    if (!children) continue;
    for (let i = 0; i < children.length; i++) {
      nodes.push(children[i]!);
      parents.push(at);
    }
  }
  return { nodes, parents: Int32Array.from(parents) };
}

/** Fills totalSize and changedBelow bottom-up, without recursion; keeps the tree's flat form. */
export function summarizeSizes(root: ViewNode): void {
  runAtOnce(summarizeSizesSteps(root, () => false));
}

function* summarizeSizesSteps(root: ViewNode, due: () => boolean): Steps<void> {
  const flat = flatten(root);
  flatTrees.set(root, flat);
  const order = flat.nodes;
  let summed = 0;
  for (let i = order.length - 1; i >= 0; i--) {
    const node = order[i]!;
    summed += node.leafCount + 1;
    if (summed >= PATHS_PER_LOOK) {
      summed = 0;
      if (due()) yield;
    }
    // a removed directory shows what it held; elsewhere removed paths take no space
    const countRemoved = node.change === 'removed';
    let total = node.placed.entry.size;
    let changed = 0;
    for (const child of node.holderChildren ?? []) {
      if (countRemoved || child.change !== 'removed') total += child.totalSize;
      changed += child.changedBelow + (child.change === 'unchanged' ? 0 : 1);
    }
    for (let leaf = 0; leaf < node.leafCount; leaf++) {
      const change = node.leafChange(leaf);
      if (countRemoved || change !== 'removed') total += node.leafState(leaf).entry.size;
      if (change !== 'unchanged') changed++;
    }
    node.totalSize = total;
    node.changedBelow = changed;
  }
}
