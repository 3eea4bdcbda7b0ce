// Strata's waste figures (DESIGN.md "Semantics"): stored bytes against visible bytes.
import type { Efficiency } from '../../api/model';
import type { MergedTree } from '../tree/merged-tree';

/** The paths of the final file system and the bytes of its files, in one walk of the tree. */
export function treeTotals(tree: MergedTree): { paths: number; visibleBytes: number } {
  let paths = 0;
  let bytes = 0;
  tree.forEachNode((node) => {
    paths++;
    bytes += node.placed.entry.size;
  });
  return { paths, visibleBytes: bytes };
}

export function visibleBytes(tree: MergedTree): number {
  return treeTotals(tree).visibleBytes;
}

/** `visible`: the tree's visibleBytes, when the caller has them already. */
export function computeEfficiency(
  indexes: readonly { size: number }[],
  tree: MergedTree,
  visible = visibleBytes(tree),
): Efficiency {
  return efficiencyOf(
    indexes.map((index) => index.size),
    visible,
  );
}

/** The figures of layers of `sizes` (base first) whose final file system shows `visible` bytes. */
export function efficiencyOf(sizes: readonly number[], visible: number): Efficiency {
  const stored = sizes.reduce((sum, size) => sum + size, 0);
  const wastedBytes = stored - visible;
  const userSize = sizes.slice(1).reduce((sum, size) => sum + size, 0);
  return {
    score: stored === 0 ? 1 : visible / stored,
    wastedBytes,
    userWastedPercent: userSize === 0 ? 0 : wastedBytes / userSize,
  };
}
