// A model loaded to record one layer's changes, or none (`strata ls`, `cat`, `diff`), has the
// same final tree as a full load, and the recorded layer's change set is the full load's: the
// lean path stacks the other layers without change sets and must not change what is shown.
import { describe, expect, it } from 'vitest';
import { changesOf, loadImage, type ImageModel } from '../src-main/core/image/load-image';
import type { LayerChangeSet } from '../src-main/core/tree/merged-tree';
import { fixturePaths, type FixtureName } from './fixtures';

const FIXTURES: FixtureName[] = ['basic', 'edge', 'compare-v2', 'dive-figures'];

/** Every path of the final tree with the entry and layer it comes from. */
function finalTree(model: ImageModel): string[] {
  const out: string[] = [];
  for (const [path, node] of model.tree.walk()) {
    const { entry, layer } = node.placed;
    out.push(`${path} ${layer} ${entry.type} ${entry.size} ${entry.mode} ${entry.dataOffset}`);
  }
  return out;
}

function changeRows(set: LayerChangeSet): string[] {
  return [...set.changes].map(([path, change]) => {
    const was = set.before.get(path);
    return `${path} ${change} ${was ? `${was.layer}:${was.entry.dataOffset}` : '-'}`;
  });
}

describe('loading only the changes a command needs', () => {
  for (const name of FIXTURES) {
    it(`${name}: the same final tree and the recorded layer's changes as a full load`, async () => {
      const files = fixturePaths().fixtures[name];
      const full = await loadImage(files.archive, { store: null });
      try {
        const layers = full.indexes.length;
        const expectedTree = finalTree(full);
        const none = await loadImage(files.archive, { store: null, changes: 'none' });
        try {
          expect(finalTree(none)).toEqual(expectedTree);
          expect(none.changeSets.every((set) => set === undefined)).toBe(true);
          expect(() => changesOf(none, 0)).toThrow(/layer 0's changes were not loaded/);
        } finally {
          await none.close();
        }
        for (const wanted of ['final', ...full.indexes.keys()] as const) {
          const layer = wanted === 'final' ? layers - 1 : wanted;
          const one = await loadImage(files.archive, { store: null, changes: wanted });
          try {
            expect(finalTree(one)).toEqual(expectedTree);
            expect(changeRows(changesOf(one, layer))).toEqual(changeRows(changesOf(full, layer)));
            expect(one.changeSets.filter((set) => set !== undefined)).toHaveLength(1);
          } finally {
            await one.close();
          }
        }
      } finally {
        await full.close();
      }
    });
  }
});
