// The tree a file view shows for one layer: the whole file system as of that layer (with the
// paths it removed), or only what the layer changed (with their ancestors for context).
// Built once per (image, layer, mode) and shared by every view of it.
import type { Change, EntryType } from '../../api/model';
import type { RowDiff, ViewMode } from '../../api/explorer';

export type { ViewMode };
import { changesOf, type ImageModel } from '../image/load-image';
import { treeAt } from '../image/layer-view';
import { baseName, parentOf } from '../layer/entry-path';
import type { FsNode, Placed } from '../tree/merged-tree';

export class ViewNode {
  children: ViewNode[] | null = null;
  /** Bytes of regular files at and below this node, not counting removed paths. */
  totalSize = 0;
  /** Paths below this node that the layer added, modified or removed. */
  changedBelow = 0;
  /** In a comparison: both sides' sizes and what changed. */
  diff?: RowDiff;
  constructor(
    readonly path: string,
    readonly name: string,
    readonly placed: Placed,
    readonly change: Change,
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
  const tree = treeAt(model, layer);
  const { changes, before } = changesOf(model, layer);
  const root = new ViewNode('/', '', tree.root.placed, 'unchanged');
  /** Directories only: what a removed path or a changed one hangs under. */
  const dirs = new Map<string, ViewNode>([['/', root]]);

  /** The view node for `path`, creating it (and its ancestors) from the tree or the before-state. */
  const nodeFor = (path: string): ViewNode => {
    const existing = dirs.get(path);
    if (existing) return existing;
    const parent = nodeFor(parentOf(path));
    const change = changes.get(path) ?? 'unchanged';
    const placed =
      change === 'removed' ? before.get(path)! : (tree.get(path)?.placed ?? before.get(path)!);
    const node = new ViewNode(path, baseName(path), placed, change);
    (parent.children ??= []).push(node);
    if (placed.entry.type === 'dir') dirs.set(path, node);
    return node;
  };

  if (mode === 'aggregate') copyTree(tree.root, root, dirs, changes, layer);
  for (const [path, change] of changes) {
    if (change === 'unchanged') continue;
    if (mode === 'changes' || change === 'removed') nodeFor(path);
  }
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
  changes: Map<string, Change>,
  layer: number,
): void {
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
      }
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
  const nodes: ViewNode[] = [];
  const parentOf: number[] = [];
  const stack = [root];
  const stackParents = [-1];
  while (stack.length) {
    const node = stack.pop()!;
    const at = nodes.length;
    nodes.push(node);
    parentOf.push(stackParents.pop()!);
    if (node.children) {
      for (const child of node.children) {
        stack.push(child);
        stackParents.push(at);
      }
    }
  }
  return { nodes, parents: Int32Array.from(parentOf) };
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
