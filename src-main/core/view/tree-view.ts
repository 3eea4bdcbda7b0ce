// One file view the renderer scrolls through: a layer's tree, filtered, sorted, with some
// directories expanded, flattened into rows the renderer asks for a page at a time.
import type { TreeRow, TreeViewSpec } from '../../api/explorer';
import { StrataError } from '../errors';
import type { ImageModel } from '../image/load-image';
import { parentOf } from '../layer/entry-path';
import { sortedChildren, sortKept } from './sorted-children';
import { PathSearch } from './path-search';
import { compileFilter, isActive, substringOf, type NodeTest, type Testable } from './tree-filter';
import { flatTree, ViewNode, viewTree } from './view-tree';

interface FlatRow {
  node: ViewNode;
  depth: number;
  /** Children shown for this node (those the filter keeps). */
  childCount: number;
}

const NO_CHILDREN: readonly ViewNode[] = [];

/** Levels of lone directories opened at most, from the root. */
const MAX_LONE_DEPTH = 16;

export class TreeView {
  private readonly root: ViewNode;
  private readonly test: NodeTest | null;
  private readonly expanded = new Set<string>();
  private readonly collapsed = new Set<string>();
  private expandEverything: boolean;
  private flat: FlatRow[] | null = null;
  /**
   * The children of each directory that match the filter or have a matching descendant, in sort
   * order (a directory without any has none), or null without a filter.
   */
  private readonly keep: Map<ViewNode, readonly ViewNode[]> | null = null;
  /** Nodes that match the filter, or null without one. */
  readonly matches: number | null = null;

  /** A view of one layer of an image, or of a tree made elsewhere (a comparison's). */
  constructor(
    source: ImageModel | ViewNode,
    readonly spec: Pick<TreeViewSpec, 'sort' | 'filter'> & Partial<TreeViewSpec>,
  ) {
    this.root =
      source instanceof ViewNode
        ? source
        : viewTree(source, spec.layer ?? 0, spec.mode ?? 'aggregate');
    this.test = isActive(spec.filter) ? compileFilter(spec.filter!) : null;
    if (this.test) {
      const lower = substringOf(spec.filter!);
      ({ keep: this.keep, matches: this.matches } = this.matchingSet(this.test, lower));
    }
    // With a filter, every directory on the way to a match starts open.
    this.expandEverything = this.test !== null;
    if (!this.test) this.openLoneDirectories();
  }

  /**
   * A directory alone in its parent starts open, down from the root while each level holds one
   * directory only: a layer that wrote under /app/src only shows what it wrote, not a row to
   * click through for each level above it. (A file written over a directory stays closed: what
   * the directory held shows when asked.)
   */
  private openLoneDirectories(): void {
    let children = this.childrenOf(this.root);
    for (let depth = 0; depth < MAX_LONE_DEPTH && children.length === 1; depth++) {
      const only = children[0]!;
      if (only.type !== 'dir' || !only.childCount) return;
      this.expanded.add(only.path);
      children = this.childrenOf(only);
    }
  }

  setExpanded(path: string, expanded: boolean): void {
    if (expanded) {
      this.expanded.add(path);
      this.collapsed.delete(path);
    } else {
      this.expanded.delete(path);
      this.collapsed.add(path);
    }
    this.flat = null;
  }

  expandAll(expanded: boolean): void {
    this.expandEverything = expanded;
    this.expanded.clear();
    this.collapsed.clear();
    this.flat = null;
  }

  /** Opens every directory above `path` and returns its row index, or -1 when filtered out. */
  reveal(path: string): number {
    for (let p = parentOf(path); p !== '/'; p = parentOf(p)) this.setExpanded(p, true);
    this.flat = null;
    return this.rows().findIndex((row) => row.node.path === path);
  }

  get total(): number {
    return this.rows().length;
  }

  page(offset: number, limit: number): TreeRow[] {
    return this.rows()
      .slice(offset, offset + limit)
      .map((row) => this.toRow(row));
  }

  private isOpen(node: ViewNode): boolean {
    if (this.collapsed.has(node.path)) return false;
    return this.expandEverything || this.expanded.has(node.path);
  }

  private childCountOf(node: ViewNode): number {
    const all = node.childCount;
    return this.keep && all ? this.childrenOf(node).length : all;
  }

  private childrenOf(node: ViewNode): readonly ViewNode[] {
    if (!this.keep) return sortedChildren(node, this.spec.sort);
    return this.keep.get(node) ?? NO_CHILDREN;
  }

  private rows(): FlatRow[] {
    if (this.flat) return this.flat;
    const out: FlatRow[] = [];
    const stack: { node: ViewNode; depth: number }[] = [];
    const push = (parent: ViewNode, depth: number): void => {
      const children = this.childrenOf(parent);
      for (let i = children.length - 1; i >= 0; i--) stack.push({ node: children[i]!, depth });
    };
    push(this.root, 0);
    while (stack.length) {
      const { node, depth } = stack.pop()!;
      const childCount = this.childCountOf(node);
      out.push({ node, depth, childCount });
      if (childCount && this.isOpen(node)) push(node, depth + 1);
    }
    this.flat = out;
    return out;
  }

  private toRow({ node, depth, childCount }: FlatRow): TreeRow {
    const { entry, layer } = node.placed;
    return {
      path: node.path,
      name: node.name,
      depth,
      type: entry.type,
      size: entry.size,
      totalSize: node.totalSize,
      mode: entry.mode,
      uid: entry.uid,
      gid: entry.gid,
      linkTarget: entry.linkTarget,
      change: node.change,
      layer,
      childCount,
      expanded: childCount > 0 && this.isOpen(node),
      ...(node.diff ? { diff: node.diff } : {}),
    };
  }

  /**
   * Every node that passes the test, with all its ancestors, as each directory's children. The test
   * sees every path of the image but the root's, or, for a filter whose paths must hold the text
   * `lower`, only those that do (found by PathSearch). A leaf is tested as it is, without its
   * node: the nodes of a directory's leaves are made only where one of them passes.
   */
  private matchingSet(
    test: NodeTest,
    lower: string | null,
  ): { keep: Map<ViewNode, readonly ViewNode[]>; matches: number } {
    const { nodes, parents } = flatTree(this.root);
    const kept = new Uint8Array(nodes.length);
    const keep = new Map<ViewNode, ViewNode[]>();
    const keepIn = (parent: ViewNode, child: ViewNode): void => {
      const list = keep.get(parent);
      if (list) list.push(child);
      else keep.set(parent, [child]);
    };
    const keepWithAncestors = (at: number): void => {
      for (let j = at; j >= 0 && !kept[j]; j = parents[j]!) kept[j] = 1;
    };
    const leaf: Testable = {
      path: '',
      change: 'unchanged',
      type: 'file',
      placed: this.root.placed,
    };
    let matches = 0;
    /** The node whose leaves `hits` holds, and those of its leaves that passed. */
    let current = -1;
    const hits: number[] = [];
    const keepHits = (): void => {
      if (!hits.length) return;
      const node = nodes[current]!;
      matches += hits.length;
      keepWithAncestors(current);
      // Many of a directory's leaves: all are made at once, cheaper than one by one.
      if (hits.length * 4 >= node.leafCount) node.makeLeaves();
      for (const l of hits) keepIn(node, node.leafNode(l));
      hits.length = 0;
    };
    const consider = (i: number, l: number): void => {
      if (i !== current) {
        keepHits();
        current = i;
      }
      const node = nodes[i]!;
      if (l < 0) {
        if (test(node)) {
          matches++;
          keepWithAncestors(i);
        }
        return;
      }
      leaf.placed = node.leafState(l);
      leaf.path = leaf.placed.entry.path;
      leaf.type = leaf.placed.entry.type;
      leaf.change = node.leafChange(l);
      if (test(leaf)) hits.push(l);
    };
    if (lower) PathSearch.of(this.root).forEachHolding(lower, consider);
    else {
      for (let i = 0; i < nodes.length; i++) {
        if (i > 0) consider(i, -1);
        for (let l = 0, count = nodes[i]!.leafCount; l < count; l++) consider(i, l);
      }
    }
    keepHits();
    for (let i = 1; i < nodes.length; i++) if (kept[i]) keepIn(nodes[parents[i]!]!, nodes[i]!);
    // A filter opens every directory it keeps: each list is shown, so each is sorted now.
    for (const list of keep.values()) sortKept(list, this.spec.sort);
    return { keep, matches };
  }
}

export function checkSpec(spec: TreeViewSpec, layers: number): void {
  if (!Number.isInteger(spec.layer) || spec.layer < 0 || spec.layer >= layers) {
    throw new StrataError(
      'bad-request',
      `There is no layer ${spec.layer}; the image has layers 0 to ${layers - 1}.`,
    );
  }
}
