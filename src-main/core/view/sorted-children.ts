// What every view of one tree shares, made once per tree and kept as long as the tree is: each
// directory's children in each sort order (each view would otherwise sort them again).
import type { TreeSort } from '../../api/explorer';
import type { ViewNode } from './view-tree';

const sorted: Record<TreeSort, WeakMap<ViewNode, readonly ViewNode[]>> = {
  name: new WeakMap(),
  size: new WeakMap(),
};

/** Whether `sortedChildren(node, sort)` is made already. */
export function isSorted(node: ViewNode, sort: TreeSort): boolean {
  return sorted[sort].has(node);
}

/** A directory's children in `sort` order (the same array for every view of the tree). */
export function sortedChildren(node: ViewNode, sort: TreeSort): readonly ViewNode[] {
  const cache = sorted[sort];
  let list = cache.get(node);
  if (!list) {
    list = [...(node.children ?? [])].sort(SORTS[sort]);
    cache.set(node, list);
  }
  return list;
}

/** Sorts a directory's children that a filter keeps (a few of them: sorted alone) in place. */
export function sortKept(children: ViewNode[], sort: TreeSort): void {
  children.sort(SORTS[sort]);
}

const byName = (a: ViewNode, b: ViewNode): number =>
  a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
const bySizeThenName = (a: ViewNode, b: ViewNode): number =>
  b.totalSize - a.totalSize || byName(a, b);
const SORTS: Record<TreeSort, (a: ViewNode, b: ViewNode) => number> = {
  name: byName,
  size: bySizeThenName,
};
