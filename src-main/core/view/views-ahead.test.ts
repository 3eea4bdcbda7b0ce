import { describe, expect, it } from 'vitest';
import { packTar } from '../tar/pack-tar';
import { withLayers } from '../testing/malformed-cases';
import { loadImage } from '../image/load-image';
import { StrataService } from '../service';
import { PathSearch } from './path-search';
import { isSorted, sortedChildren } from './sorted-children';
import { nextTurn } from '../io/next-turn';
import { hasViewTree, keptViewTree, makeViewTreeAhead, viewTree, type ViewNode } from './view-tree';
import { bigDirectories, layersWorthAhead, wholeWorthAhead } from './views-ahead';

const files = (dir: string, count: number) =>
  packTar(Array.from({ length: count }, (_, i) => ({ name: `${dir}/f${i}`, body: `${i}` })));

/** Layers that add 5, 2 and 8 files (and their directory each). */
async function archive(): Promise<string> {
  return withLayers([await files('five', 5), await files('two', 2), await files('eight', 8)]);
}

/** Counts the turns of the event loop from now: the count so far, each time it is called. */
function countTurns(): () => number {
  let turns = 0;
  let counting = true;
  const count = (): void => {
    turns++;
    if (counting) setImmediate(count);
  };
  setImmediate(count);
  return () => {
    counting = false;
    return turns;
  };
}

describe('views made ahead', () => {
  it('are those of the layers that changed the most, the most first', async () => {
    const model = await loadImage(await archive(), { store: null });
    try {
      expect(layersWorthAhead(model, { minChanges: 3 })).toEqual([2, 0]);
      expect(layersWorthAhead(model, { minChanges: 3, atMost: 1 })).toEqual([2]);
      expect(layersWorthAhead(model, { minChanges: 7 })).toEqual([2]);
      expect(layersWorthAhead(model)).toEqual([]); // thousands of changes by default
      expect(wholeWorthAhead(model, { minChanges: 18 })).toBe(true);
      expect(wholeWorthAhead(model, { minChanges: 19 })).toBe(false);
      // Nor too big a tree: the click on it makes it, not an open.
      expect(layersWorthAhead(model, { minChanges: 3, maxChanges: 8 })).toEqual([0, 1]);
      expect(wholeWorthAhead(model, { minChanges: 3, maxChanges: 17 })).toBe(false);
    } finally {
      await model.close();
    }
  });

  it('are made after an open, and not for an image closed meanwhile', async () => {
    const service = new StrataService({ viewsAhead: { minChanges: 3 } });
    try {
      const path = await archive();
      const { handle } = await service.open(path);
      const model = service.model(handle);
      await service.viewsMadeAhead(handle);
      expect([0, 1, 2].map((layer) => hasViewTree(model, layer, 'changes'))).toEqual([
        true,
        false,
        true,
      ]);
      // The final whole file system too (18 paths): the other layers' are not.
      expect([0, 1, 2].map((layer) => hasViewTree(model, layer, 'aggregate'))).toEqual([
        false,
        false,
        true,
      ]);
      // And its paths' search, for the first filter.
      expect(PathSearch.isMade(viewTree(model, 2, 'aggregate'))).toBe(true);
      expect(PathSearch.isMade(viewTree(model, 2, 'changes'))).toBe(false);
      // A view of a layer made ahead answers from that tree.
      const opened = service.openView(
        handle,
        { layer: 2, mode: 'changes', sort: 'name' },
        undefined,
        { offset: 0, limit: 5 },
      );
      expect(opened.rows?.[0]).toMatchObject({ name: 'eight', childCount: 8 });
      expect(opened.total).toBe(9); // the lone directory opened

      const closed = await service.open(path);
      const closedModel = service.model(closed.handle);
      const ahead = service.viewsMadeAhead(closed.handle);
      await service.close(closed.handle);
      await ahead;
      expect(hasViewTree(closedModel, 2, 'changes')).toBe(false);
      expect(hasViewTree(closedModel, 2, 'aggregate')).toBe(false);
    } finally {
      await service.dispose();
    }
  });

  it("sort their biggest directories' children, as a view first opens them", async () => {
    const service = new StrataService({ viewsAhead: { minChanges: 3, minChildren: 6 } });
    try {
      const { handle } = await service.open(await archive());
      const model = service.model(handle);
      await service.viewsMadeAhead(handle);
      const dir = (root: ViewNode, name: string) =>
        root.holderChildren!.find((child) => child.name === name)!;
      const whole = viewTree(model, 2, 'aggregate');
      // "eight" holds 8 files, "five" 5: only the first is sorted, in the view's first order.
      expect(isSorted(dir(whole, 'eight'), 'size')).toBe(true);
      expect(isSorted(dir(whole, 'eight'), 'name')).toBe(false);
      expect(isSorted(dir(whole, 'five'), 'size')).toBe(false);
      expect(isSorted(dir(viewTree(model, 2, 'changes'), 'eight'), 'size')).toBe(true);
      // A view opening it gets that very list.
      const sorted = sortedChildren(dir(whole, 'eight'), 'size');
      const opened = service.openView(handle, { layer: 2, mode: 'aggregate', sort: 'size' });
      service.expand(opened.viewId, '/eight', true);
      expect(sortedChildren(dir(whole, 'eight'), 'size')).toBe(sorted);
      expect(bigDirectories(whole, 5).map((node) => node.name)).toEqual(['five']);
    } finally {
      await service.dispose();
    }
  });

  it('never push out a tree a view used', async () => {
    const service = new StrataService({ viewsAhead: { minChanges: 3 } });
    try {
      const { handle } = await service.open(await archive());
      const model = service.model(handle);
      // Before the turn that makes them: four trees the user's views made fill the room.
      for (const layer of [0, 1, 2]) viewTree(model, layer, 'aggregate');
      viewTree(model, 1, 'changes');
      await service.viewsMadeAhead(handle);
      expect(hasViewTree(model, 2, 'changes')).toBe(false);
      expect(hasViewTree(model, 0, 'aggregate')).toBe(true);
    } finally {
      await service.dispose();
    }
  });

  it('are made in turns of the event loop, and finished at once for a view that asks meanwhile', async () => {
    const path = await withLayers([await files('many', 30_000), await files('more', 3_000)]);
    const shape = (root: ViewNode): unknown[] => {
      const rows: unknown[] = [];
      const stack = [root];
      for (let node = stack.pop(); node; node = stack.pop()) {
        rows.push([node.path, node.change, node.totalSize, node.changedBelow, node.childCount]);
        stack.push(...(node.children ?? []));
      }
      return rows;
    };
    const atOnce = await loadImage(path, { store: null });
    const inTurns = await loadImage(path, { store: null });
    try {
      const turns = countTurns();
      expect(await makeViewTreeAhead(inTurns, 0, 'changes')).toBe(true);
      expect(turns()).toBeGreaterThan(1);
      expect(shape(keptViewTree(inTurns, 0, 'changes')!)).toEqual(
        shape(viewTree(atOnce, 0, 'changes')),
      );

      const ahead = makeViewTreeAhead(inTurns, 1, 'aggregate');
      await nextTurn();
      expect(hasViewTree(inTurns, 1, 'aggregate')).toBe(false);
      const asked = viewTree(inTurns, 1, 'aggregate');
      expect(await ahead).toBe(true);
      expect(keptViewTree(inTurns, 1, 'aggregate')).toBe(asked);
      expect(shape(asked)).toEqual(shape(viewTree(atOnce, 1, 'aggregate')));
    } finally {
      await Promise.all([atOnce.close(), inTurns.close()]);
    }
  });

  it('are not needed for a view to find its tree made in turns of the event loop', async () => {
    const path = await withLayers([await files('many', 30_000)]);
    const service = new StrataService({ viewsAhead: { maxChanges: 0 } });
    try {
      const { handle } = await service.open(path);
      await service.viewsMadeAhead(handle);
      const model = service.model(handle);
      expect(hasViewTree(model, 0, 'aggregate')).toBe(false);
      const turns = countTurns();
      const spec = { layer: 0, mode: 'aggregate', sort: 'name' } as const;
      await service.prepareView(handle, spec);
      expect(turns()).toBeGreaterThan(1);
      const made = keptViewTree(model, 0, 'aggregate');
      const opened = service.openView(handle, spec, undefined, { offset: 0, limit: 3 });
      expect(keptViewTree(model, 0, 'aggregate')).toBe(made);
      expect(opened.rows?.map((row) => row.name)).toEqual(['many', 'f0', 'f1']);
    } finally {
      await service.dispose();
    }
  });
});
