// Every path of a view tree lower-cased once, in a few long strings, so that a substring filter
// finds the paths that hold its text with String#indexOf over those (a fast search that skips
// ahead) instead of a case-insensitive test of every path through its node: the filter then tests
// only those (its other conditions, and the text again).
import { runAtOnce, type Steps } from '../io/next-turn';
import { flatTree, type ViewNode } from './view-tree';

/**
 * Characters in one of the search's strings at most (with the path that crosses it): far below
 * the longest string V8 makes, which the paths of a big image together exceed.
 */
const CHUNK_CHARS = 1 << 24;

/**
 * Ends each path in the search's strings: a character a name seldom holds (a tar header's ends
 * at NUL). A text that holds it is searched path by path, so that no find spans two paths.
 */
const SEPARATOR = '\0';

/** How many paths the search's making takes between two looks at the clock. */
const PATHS_PER_LOOK = 1024;

export class PathSearch {
  private constructor(
    /**
     * Every path but the root's, lower-cased, in flatTree order (each node, then its leaves),
     * each followed by SEPARATOR, in strings of about CHUNK_CHARS.
     */
    private readonly chunks: string[],
    /** The first path of each chunk, and one more: the number of paths. */
    private readonly firstOf: Int32Array,
    /** Where each path starts in its chunk. */
    private readonly starts: Int32Array,
    /** Each path's node, by its position in flatTree(root).nodes. */
    private readonly nodeOf: Int32Array,
    /** Each path's leaf within that node, or -1 for the node itself. */
    private readonly leafOf: Int32Array,
  ) {}

  /**
   * The search of the tree under `root` (made on first use; trees do not change after), in
   * strings of about `chunkChars`.
   */
  static of(root: ViewNode, chunkChars = CHUNK_CHARS): PathSearch {
    return searches.get(root) ?? runAtOnce(PathSearch.ofSteps(root, () => false, chunkChars));
  }

  /**
   * `of`, made in steps that pause where `due()` says: ahead of any filter, the whole file system
   * of the benchmark's image (93k paths) takes 20-50 ms, which a click would wait for. A filter
   * that asks meanwhile makes its own, and that one is kept.
   */
  static *ofSteps(root: ViewNode, due: () => boolean, chunkChars = CHUNK_CHARS): Steps<PathSearch> {
    if (!searches.has(root)) {
      const search = yield* PathSearch.make(root, chunkChars, due);
      if (!searches.has(root)) searches.set(root, search);
    }
    return searches.get(root)!;
  }

  /** Whether the search of the tree under `root` is made already. */
  static isMade(root: ViewNode): boolean {
    return searches.has(root);
  }

  private static *make(root: ViewNode, chunkChars: number, due: () => boolean): Steps<PathSearch> {
    const { nodes } = flatTree(root);
    let count = nodes.length - 1;
    for (const node of nodes) count += node.leafCount;
    const nodeOf = new Int32Array(count);
    const leafOf = new Int32Array(count);
    const starts = new Int32Array(count);
    const chunks: string[] = [];
    const firstOf = [0];
    let pending: string[] = [];
    let at = 0;
    let k = 0;
    const add = (path: string, node: number, leaf: number): void => {
      if (at >= chunkChars) {
        chunks.push(pending.join(''));
        firstOf.push(k);
        pending = [];
        at = 0;
      }
      const lower = path.toLowerCase();
      pending.push(lower, SEPARATOR);
      starts[k] = at;
      at += lower.length + 1;
      nodeOf[k] = node;
      leafOf[k++] = leaf;
    };
    let sinceLook = 0;
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i]!;
      if (i > 0) add(node.path, i, -1);
      for (let l = 0; l < node.leafCount; l++) add(node.leafState(l).entry.path, i, l);
      sinceLook += node.leafCount + 1;
      if (sinceLook >= PATHS_PER_LOOK) {
        sinceLook = 0;
        if (due()) yield;
      }
    }
    chunks.push(pending.join(''));
    firstOf.push(count);
    return new PathSearch(chunks, Int32Array.from(firstOf), starts, nodeOf, leafOf);
  }

  /**
   * Calls `fn` with the node (its position in flatTree order) and the leaf (-1: the node itself)
   * of every path whose lower-case form holds `lower`, in flatTree order.
   */
  forEachHolding(lower: string, fn: (node: number, leaf: number) => void): void {
    const { chunks, firstOf, starts, nodeOf, leafOf } = this;
    chunks.forEach((text, c) => {
      const first = firstOf[c]!;
      const last = firstOf[c + 1]! - 1;
      const end = (k: number) => (k < last ? starts[k + 1]! : text.length) - 1;
      if (lower.includes(SEPARATOR)) {
        for (let k = first; k <= last; k++)
          if (text.slice(starts[k]!, end(k)).includes(lower)) fn(nodeOf[k]!, leafOf[k]!);
        return;
      }
      // Every find lies within one path (the text holds no separator); the next search starts
      // at the path after the one found.
      for (let k = first, found = text.indexOf(lower); found >= 0;) {
        k = pathAt(starts, found, k, last);
        fn(nodeOf[k]!, leafOf[k]!);
        if (++k > last) break;
        found = text.indexOf(lower, starts[k]!);
      }
    });
  }
}

/** The path of `from`..`to` whose span in its chunk holds `at`. */
function pathAt(starts: Int32Array, at: number, from: number, to: number): number {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (starts[mid]! <= at) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

const searches = new WeakMap<ViewNode, PathSearch>();
