// Every path of a view tree lower-cased once, in one string, so that a substring filter finds the
// paths that hold its text with String#indexOf over that string (a fast search that skips ahead)
// instead of a case-insensitive test of every path through its node: the filter then tests only
// those (its other conditions, and the text again).
import { flatTree, type ViewNode } from './view-tree';

export class PathSearch {
  private constructor(
    /**
     * Every path but the root's, lower-cased, in flatTree order (each node, then its leaves),
     * each followed by SEPARATOR.
     */
    private readonly text: string,
    /** Where each path starts in `text`, and one more: where the next would. */
    private readonly starts: Float64Array,
    /** Each path's node, by its position in flatTree(root).nodes. */
    private readonly nodeOf: Int32Array,
    /** Each path's leaf within that node, or -1 for the node itself. */
    private readonly leafOf: Int32Array,
  ) {}

  /** The search of the tree under `root` (made on first use; trees do not change after). */
  static of(root: ViewNode): PathSearch {
    let search = searches.get(root);
    if (!search) searches.set(root, (search = PathSearch.make(root)));
    return search;
  }

  /** Whether the search of the tree under `root` is made already. */
  static isMade(root: ViewNode): boolean {
    return searches.has(root);
  }

  private static make(root: ViewNode): PathSearch {
    const { nodes } = flatTree(root);
    let count = nodes.length - 1;
    for (const node of nodes) count += node.leafCount;
    const paths = new Array<string>(count + 1);
    const nodeOf = new Int32Array(count);
    const leafOf = new Int32Array(count);
    let k = 0;
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i]!;
      if (i > 0) {
        paths[k] = node.path.toLowerCase();
        nodeOf[k] = i;
        leafOf[k++] = -1;
      }
      for (let l = 0; l < node.leafCount; l++) {
        paths[k] = node.leafState(l).entry.path.toLowerCase();
        nodeOf[k] = i;
        leafOf[k++] = l;
      }
    }
    paths[count] = '';
    const text = paths.join(SEPARATOR);
    const starts = new Float64Array(count + 1);
    for (let k = 0, at = 0; k < count; k++) {
      starts[k] = at;
      at += paths[k]!.length + 1;
      starts[k + 1] = at;
    }
    return new PathSearch(text, starts, nodeOf, leafOf);
  }

  /**
   * Calls `fn` with the node (its position in flatTree order) and the leaf (-1: the node itself)
   * of every path whose lower-case form holds `lower`, in flatTree order.
   */
  forEachHolding(lower: string, fn: (node: number, leaf: number) => void): void {
    const { text, starts, nodeOf, leafOf } = this;
    const count = nodeOf.length;
    if (lower.includes(SEPARATOR)) {
      for (let k = 0; k < count; k++)
        if (text.slice(starts[k]!, starts[k + 1]! - 1).includes(lower)) fn(nodeOf[k]!, leafOf[k]!);
      return;
    }
    // Every find lies within one path (the text holds no separator); the next search starts at
    // the path after the one found.
    let k = 0;
    for (let at = text.indexOf(lower); at >= 0; at = text.indexOf(lower, starts[k]!)) {
      k = pathAt(starts, at, k);
      fn(nodeOf[k]!, leafOf[k]!);
      k++;
    }
  }
}

/**
 * Ends each path in the search's text: a character a name seldom holds (a tar header's ends at
 * NUL). A text that holds it is searched path by path, so that no find spans two paths.
 */
const SEPARATOR = '\0';

/** The path whose span in the text holds `at`, searched from path `from` on. */
function pathAt(starts: Float64Array, at: number, from: number): number {
  let lo = from;
  let hi = starts.length - 2;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (starts[mid]! <= at) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

const searches = new WeakMap<ViewNode, PathSearch>();
