// The first click on a layer that changed tens of thousands of paths, or on the whole file system
// of a big image, waits for its view tree to be made (tens to a hundred milliseconds), and the
// first opening of a directory of thousands of files for their nodes to be made and sorted. After
// an open, the trees of the layers that changed the most and the final whole file system are made
// ahead, then the children of their biggest directories, in turns of the event loop, so requests
// that come meanwhile are answered between (a tree of 80k paths held them 130-150 ms, made whole).
import type { TreeSort } from '../../api/explorer';
import type { ImageModel } from '../image/load-image';
import { PathSearch } from './path-search';
import { isSorted, sortedChildrenSteps } from './sorted-children';
import { keptViewTree, makeViewTreeAhead, type ViewNode } from './view-tree';
import { nextTurn, turnClock, type Steps } from '../io/next-turn';

export interface ViewsAheadOptions {
  /**
   * Layers that changed fewer paths (and a final file system of fewer paths) make their tree
   * about as fast as a click is answered.
   */
  minChanges?: number;
  /**
   * Trees of more paths are left to the click that asks for them: a tree takes about 1.5 µs and a
   * few hundred bytes a path, spent ahead on a view the user may never ask for.
   */
  maxChanges?: number;
  /** Trees made ahead at most, the layers with the most changes first. */
  atMost?: number;
  /** Directories of at least this many children in those trees get them sorted ahead. */
  minChildren?: number;
}

export const VIEWS_AHEAD_MIN_CHANGES = 20_000;
export const VIEWS_AHEAD_MAX_CHANGES = 150_000;
const VIEWS_AHEAD_AT_MOST = 2;
/** Opening a directory of a few hundred children takes a few milliseconds, sorted or not. */
export const SORT_AHEAD_MIN_CHILDREN = 1_000;
/** The order a view opens in (the app's default). */
const FIRST_SORT: TreeSort = 'size';

const worthAhead = (paths: number, options: ViewsAheadOptions): boolean =>
  paths >= (options.minChanges ?? VIEWS_AHEAD_MIN_CHANGES) &&
  paths <= (options.maxChanges ?? VIEWS_AHEAD_MAX_CHANGES);

/** The layers whose changes views are worth making ahead, the most changes first. */
export function layersWorthAhead(model: ImageModel, options: ViewsAheadOptions = {}): number[] {
  const sized: { layer: number; changes: number }[] = [];
  model.changeSets.forEach((set, layer) => {
    if (!set) return;
    const { added, modified, removed } = set.counts();
    const changes = added + modified + removed;
    if (worthAhead(changes, options)) sized.push({ layer, changes });
  });
  sized.sort((a, b) => b.changes - a.changes || a.layer - b.layer);
  return sized.slice(0, options.atMost ?? VIEWS_AHEAD_AT_MOST).map((s) => s.layer);
}

/** Whether the final whole file system's view is worth making ahead. */
export function wholeWorthAhead(model: ImageModel, options: ViewsAheadOptions = {}): boolean {
  let paths = 0;
  for (const set of model.changeSets) {
    if (!set) return false;
    const { added, removed } = set.counts();
    paths += added - removed;
  }
  return worthAhead(paths, options);
}

/**
 * Makes those trees in turns of the event loop while `stillOpen()`; resolves when done (or
 * stopped). A tree that fails to build is left to the view that asks for it to report.
 */
export async function makeViewsAhead(
  model: ImageModel,
  stillOpen: () => boolean,
  options: ViewsAheadOptions = {},
): Promise<void> {
  const trees: [number, 'changes' | 'aggregate'][] = layersWorthAhead(model, options).map(
    (layer) => [layer, 'changes'],
  );
  if (wholeWorthAhead(model, options)) trees.push([model.indexes.length - 1, 'aggregate']);
  for (const [layer, mode] of trees) {
    await nextTurn();
    if (!stillOpen()) return;
    try {
      if (!(await makeViewTreeAhead(model, layer, mode, stillOpen))) return;
    } catch {
      return;
    }
  }
  // The whole file system is what gets filtered at large: its paths' search too (20-50 ms for
  // the benchmark's 93k paths on a 2-core VM, made at once).
  if (trees.at(-1)?.[1] === 'aggregate') {
    const whole = keptViewTree(model, model.indexes.length - 1, 'aggregate');
    if (whole && !(await inTurns(PathSearch.ofSteps(whole, turnClock()), stillOpen))) return;
  }
  // The biggest directories, the whole file system's first (a directory of 10k files: 5-25 ms
  // made and sorted at once).
  const minChildren = options.minChildren ?? SORT_AHEAD_MIN_CHILDREN;
  for (const [layer, mode] of trees.reverse()) {
    const root = keptViewTree(model, layer, mode);
    if (!root) continue;
    for (const dir of bigDirectories(root, minChildren)) {
      if (!(await inTurns(sortedChildrenSteps(dir, FIRST_SORT, turnClock()), stillOpen))) return;
    }
  }
}

/**
 * Runs `steps` in turns of the event loop (a click that comes meanwhile waits for one turn, not
 * the whole); false, with the rest left undone, once the image is not open any more.
 */
async function inTurns(steps: Steps<unknown>, stillOpen: () => boolean): Promise<boolean> {
  do {
    await nextTurn();
    if (!stillOpen()) return false;
  } while (!steps.next().done);
  return true;
}

/** The directories of a tree with at least `min` children not yet sorted ahead, the most first. */
export function bigDirectories(root: ViewNode, min: number): ViewNode[] {
  const found: ViewNode[] = [];
  const stack = [root];
  for (let node = stack.pop(); node; node = stack.pop()) {
    if (node.childCount >= min && !isSorted(node, FIRST_SORT)) found.push(node);
    for (const child of node.holderChildren ?? []) stack.push(child);
  }
  return found.sort((a, b) => b.childCount - a.childCount);
}
