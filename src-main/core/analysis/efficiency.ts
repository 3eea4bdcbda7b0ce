// Strata's waste figures (DESIGN.md "Semantics"): stored bytes against visible bytes.
import type { Efficiency } from '../../api/model';
import type { LayerIndex } from '../layer/layer-index';
import type { MergedTree } from '../tree/merged-tree';

export function visibleBytes(tree: MergedTree): number {
  let total = 0;
  tree.forEachNode((node) => (total += node.placed.entry.size));
  return total;
}

export function computeEfficiency(indexes: LayerIndex[], tree: MergedTree): Efficiency {
  const stored = indexes.reduce((sum, index) => sum + index.size, 0);
  const visible = visibleBytes(tree);
  const wastedBytes = stored - visible;
  const userSize = indexes.slice(1).reduce((sum, index) => sum + index.size, 0);
  return {
    score: stored === 0 ? 1 : visible / stored,
    wastedBytes,
    userWastedPercent: userSize === 0 ? 0 : wastedBytes / userSize,
  };
}
