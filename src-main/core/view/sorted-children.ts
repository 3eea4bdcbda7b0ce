// What every view of one tree shares, made once per tree and kept as long as the tree is: each
// directory's children in each sort order (each view would otherwise sort them again).
import type { TreeSort } from '../../api/explorer';
import type { Steps } from '../io/next-turn';
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

/**
 * `sortedChildren`, made in steps that pause where `due()` says: ahead of any view, a directory
 * of 10k children takes 5-25 ms to have its nodes made and sorted, which a click would wait for.
 * A view that asks for them meanwhile sorts them itself, and its list is the one kept.
 */
export function* sortedChildrenSteps(
  node: ViewNode,
  sort: TreeSort,
  due: () => boolean,
): Steps<readonly ViewNode[]> {
  const cache = sorted[sort];
  if (!cache.has(node)) {
    for (let i = 0; i < node.leafCount; i++) {
      node.leafNode(i);
      if ((i & 255) === 255 && due()) yield;
    }
    const list = yield* sortSteps([...(node.children ?? [])], SORTS[sort], due);
    if (!cache.has(node)) cache.set(node, list);
  }
  return cache.get(node)!;
}

/** Items sorted per run by the engine's sort, then merged. */
const RUN = 256;

/**
 * A stable sort of `items` (reordered, or replaced by the array returned) in steps: runs sorted
 * by the engine's own sort, then merged pairwise, pausing where `due()` says.
 */
export function* sortSteps<T>(
  items: T[],
  compare: (a: T, b: T) => number,
  due: () => boolean,
): Steps<T[]> {
  const n = items.length;
  for (let at = 0; at < n; at += RUN) {
    const run = items.slice(at, at + RUN).sort(compare);
    for (let i = 0; i < run.length; i++) items[at + i] = run[i]!;
    if (due()) yield;
  }
  let from = items;
  let to = new Array<T>(n);
  for (let width = RUN; width < n; width *= 2) {
    for (let low = 0; low < n; low += 2 * width) {
      const middle = Math.min(low + width, n);
      const high = Math.min(low + 2 * width, n);
      let left = low;
      let right = middle;
      let out = low;
      // The left run's item first when equal: stable.
      while (left < middle && right < high) {
        to[out++] = compare(from[right]!, from[left]!) < 0 ? from[right++]! : from[left++]!;
        if ((out & 1023) === 0 && due()) yield;
      }
      while (left < middle) to[out++] = from[left++]!;
      while (right < high) to[out++] = from[right++]!;
    }
    [from, to] = [to, from];
  }
  return from;
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
