// Every path of a view tree lower-cased once, in one array, so that a substring filter finds the
// paths that hold its text with one String#includes each instead of a case-insensitive test of
// every path through its node: the filter then tests only those (its other conditions, and the
// text again).
import { flatTree, type ViewNode } from './view-tree';

export class PathSearch {
  private constructor(
    /** Every path but the root's, lower-cased, in flatTree order: each node, then its leaves. */
    private readonly paths: string[],
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
    const paths = new Array<string>(count);
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
    return new PathSearch(paths, nodeOf, leafOf);
  }

  /**
   * Calls `fn` with the node (its position in flatTree order) and the leaf (-1: the node itself)
   * of every path whose lower-case form holds `lower`, in flatTree order.
   */
  forEachHolding(lower: string, fn: (node: number, leaf: number) => void): void {
    const { paths, nodeOf, leafOf } = this;
    for (let k = 0; k < paths.length; k++)
      if (paths[k]!.includes(lower)) fn(nodeOf[k]!, leafOf[k]!);
  }
}

const searches = new WeakMap<ViewNode, PathSearch>();
