// The tree a file view shows for one layer: the whole file system as of that layer (with the
// paths it removed), or only what the layer changed (with their ancestors for context).
// Built once per (image, layer, mode) and shared by every view of it.
import type { Change, EntryType } from '../../api/model';
import type { RowDiff, ViewMode } from '../../api/explorer';

export type { ViewMode };
import { changesOf, type ImageModel } from '../image/load-image';
import { stateAsOf, treeAt } from '../image/layer-view';
import { baseName, parentOf } from '../layer/entry-path';
import type { FsNode, LayerChangeSet, Placed } from '../tree/merged-tree';

export class ViewNode {
  children: ViewNode[] | null = null;
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
}

const trees = new WeakMap<ImageModel, Map<string, ViewNode>>();
/** View trees kept per image: each holds a node per path, and layers are clicked through in turn. */
const KEPT_TREES = 4;

export function viewTree(model: ImageModel, layer: number, mode: ViewMode): ViewNode {
  let perModel = trees.get(model);
  if (!perModel) trees.set(model, (perModel = new Map()));
  const key = `${layer}:${mode}`;
  let root = perModel.get(key);
  if (root)
    perModel.delete(key); // most recently used last
  else root = buildViewTree(model, layer, mode);
  perModel.set(key, root);
  for (const old of perModel.keys()) {
    if (perModel.size <= KEPT_TREES) break;
    perModel.delete(old);
  }
  return root;
}

function buildViewTree(model: ImageModel, layer: number, mode: ViewMode): ViewNode {
  const changeSet = changesOf(model, layer);
  const root = new ViewNode('/', '', model.tree.root.placed, 'unchanged');
  /** Directories only: what a removed path or a changed one hangs under. */
  const dirs = new Map<string, ViewNode>([['/', root]]);
  // The changes of a layer that only wrote come with the state each path was left in, and their
  // parents are found in the final tree where no later layer touched them: the tree as of the
  // layer is not made. Otherwise it is, and changed paths, grouped by directory, are looked up
  // in it a run of siblings at a time.
  const wholeTree = mode === 'aggregate' || !changeSet.onlyWrote;
  const lookup = wholeTree ? treeAt(model, layer).cachedLookup() : null;
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
    (dirFor(parentOf(path)).children ??= []).push(node);
    dirs.set(path, node);
    return node;
  };

  if (mode === 'aggregate') copyTree(treeAt(model, layer).root, root, dirs, changeSet, layer);
  let parentPath = '/';
  let parent = root;
  changeSet.forEachChange((path, change, left) => {
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
    const node = new ViewNode(path, path.slice(slash + 1), placed, change);
    (parent.children ??= []).push(node);
    if (holds) dirs.set(path, node);
  });
  summarizeSizes(root);
  return root;
}

/**
 * Mirrors the merged tree into view nodes, iteratively (paths may be very deep). Every node's
 * entry carries its path; only what `layer` placed can have a change of its own.
 */
function copyTree(
  fsRoot: FsNode,
  root: ViewNode,
  dirs: Map<string, ViewNode>,
  changeSet: LayerChangeSet,
  layer: number,
): void {
  const { changes } = changeSet;
  const stack: [FsNode, ViewNode][] = [[fsRoot, root]];
  while (stack.length) {
    const [fs, view] = stack.pop()!;
    const children: ViewNode[] = (view.children = []);
    for (const [name, child] of fs.children!) {
      const { placed } = child;
      const path = placed.entry.path;
      const change = placed.layer === layer ? (changes.get(path) ?? 'unchanged') : 'unchanged';
      const node = new ViewNode(path, name, placed, change);
      children.push(node);
      if (child.children) {
        dirs.set(path, node);
        stack.push([child, node]);
      } else if (change === 'modified' && !changeSet.onlyWrote) dirs.set(path, node);
    }
  }
}

/** A tree in one array, each node after its parent: what a filter walks instead of the tree. */
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
    const children = nodes[at]!.children;
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
  const flat = flatten(root);
  flatTrees.set(root, flat);
  const order = flat.nodes;
  for (let i = order.length - 1; i >= 0; i--) {
    const node = order[i]!;
    node.totalSize = node.placed.entry.size;
    if (node.children) {
      for (const child of node.children) {
        // a removed directory shows what it held; elsewhere removed paths take no space
        if (child.change !== 'removed' || node.change === 'removed')
          node.totalSize += child.totalSize;
        node.changedBelow += child.changedBelow + (child.change === 'unchanged' ? 0 : 1);
      }
    }
  }
}
