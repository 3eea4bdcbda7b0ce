// Where the space goes as of one layer, for a treemap: sizes down to a depth, each node tagged
// with the layer that wrote most of its bytes; small children folded into one "other" node.
import type { SizeMapNode } from '../../api/explorer';
import type { ImageModel } from '../image/load-image';
import type { Placed } from '../tree/merged-tree';
import { sortedChildren } from '../view/sorted-children';
import { viewTree, type ViewNode } from '../view/view-tree';
import { StrataError } from '../errors';

export interface SizeMapOptions {
  depth?: number;
  /** Children smaller than this share of their parent are folded into "other". */
  minShare?: number;
  /** At most this many children per node before folding. */
  maxChildren?: number;
}

export function sizeMap(
  model: ImageModel,
  layer: number,
  path = '/',
  options: SizeMapOptions = {},
): SizeMapNode {
  const { depth = 3, minShare = 0.005, maxChildren = 40 } = options;
  let node: ViewNode | undefined = viewTree(model, layer, 'aggregate');
  if (path !== '/') {
    for (const name of path.slice(1).split('/'))
      node = node?.children?.find((c) => c.name === name);
  }
  if (!node || node.change === 'removed')
    throw new StrataError('not-found', `${path} does not exist as of layer ${layer}.`);
  const dominant = new Map<ViewNode, number>();
  return build(node, depth);

  function build(n: ViewNode, levels: number): SizeMapNode {
    const out: SizeMapNode = {
      name: n.name || '/',
      path: n.path,
      size: n.totalSize,
      layer: dominantLayer(n),
      isDir: n.type === 'dir',
    };
    if (levels > 0 && n.children?.length) {
      // Biggest first, and by name among equals (a view's lists, in any order of making).
      const live = sortedChildren(n, 'size').filter(
        (c) => c.change !== 'removed' && c.totalSize > 0,
      );
      let kept = live.filter((c, i) => i < maxChildren && c.totalSize >= n.totalSize * minShare);
      if (live.length - kept.length === 1) kept = live; // folding one child into "1 more" hides its name for nothing
      const rest = live.slice(kept.length);
      out.children = kept.map((c) => build(c, levels - 1));
      const restSize = rest.reduce((sum, c) => sum + c.totalSize, 0);
      if (restSize > 0) {
        out.children.push({
          name: `${rest.length} more`,
          path: null,
          size: restSize,
          layer: dominantOfMany(rest),
          isDir: false,
        });
      }
    }
    return out;
  }

  function dominantLayer(n: ViewNode): number {
    let cached = dominant.get(n);
    if (cached === undefined) {
      cached = dominantOfMany([n]);
      dominant.set(n, cached);
    }
    return cached;
  }

  function dominantOfMany(nodes: ViewNode[]): number {
    const bytes = new Map<number, number>();
    const add = ({ entry, layer }: Placed): void => {
      if (entry.type === 'file') bytes.set(layer, (bytes.get(layer) ?? 0) + entry.size);
    };
    const stack = [...nodes];
    while (stack.length) {
      const n = stack.pop()!;
      if (n.change === 'removed') continue;
      add(n.placed);
      if (n.holderChildren) stack.push(...n.holderChildren);
      for (let i = 0; i < n.leafCount; i++) if (n.leafChange(i) !== 'removed') add(n.leafState(i));
    }
    let best = nodes[0]?.placed.layer ?? 0;
    let most = -1;
    for (const [l, b] of bytes) if (b > most || (b === most && l < best)) [best, most] = [l, b];
    return best;
  }
}
