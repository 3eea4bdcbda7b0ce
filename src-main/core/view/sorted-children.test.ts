import { describe, expect, it } from 'vitest';
import { packTar } from '../tar/pack-tar';
import { withLayers } from '../testing/malformed-cases';
import { loadImage } from '../image/load-image';
import { runAtOnce } from '../io/next-turn';
import { isSorted, sortedChildren, sortedChildrenSteps, sortSteps } from './sorted-children';
import { viewTree, type ViewNode } from './view-tree';

/** A generator's steps: how many times it paused, and what it returned. */
function stepsOf<T>(steps: Generator<void, T, void>): { pauses: number; value: T } {
  let pauses = 0;
  for (;;) {
    const step = steps.next();
    if (step.done) return { pauses, value: step.value };
    pauses++;
  }
}

describe('sortSteps', () => {
  it('sorts as the engine sorts, equal items in their order, however often it pauses', () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (const n of [0, 1, 2, 255, 256, 257, 513, 1000, 4099]) {
      // Few distinct keys: most items tie, and only their first order tells them apart.
      const items = Array.from({ length: n }, (_, i) => ({ key: Math.floor(random() * 20), i }));
      const compare = (a: { key: number }, b: { key: number }) => a.key - b.key;
      const expected = [...items].sort(compare);
      for (const due of [() => true, () => false]) {
        const { value } = stepsOf(sortSteps([...items], compare, due));
        expect(value).toEqual(expected);
      }
    }
  });

  it('pauses within the merge of a long list, not only between runs', () => {
    const items = Array.from({ length: 10_000 }, (_, i) => (i * 7919) % 10_000);
    const { pauses, value } = stepsOf(
      sortSteps(
        items,
        (a, b) => a - b,
        () => true,
      ),
    );
    // 40 runs of 256 (a pause after each), then 6 merge passes, which pause as they place items.
    expect(pauses).toBeGreaterThan(40 + 6);
    expect(value).toEqual(Array.from({ length: 10_000 }, (_, i) => i));
  });
});

describe('sortedChildrenSteps', () => {
  async function bigDirectory(): Promise<{ dir: ViewNode; close: () => Promise<void> }> {
    const layer = await packTar(
      Array.from({ length: 3000 }, (_, i) => ({
        name: `big/f${(i * 37) % 3000}`,
        body: 'x'.repeat(i % 5),
      })),
    );
    const model = await loadImage(await withLayers([layer]), { store: null });
    const root = viewTree(model, 0, 'aggregate');
    const dir = root.holderChildren!.find((child) => child.name === 'big')!;
    return { dir, close: () => model.close() };
  }

  it("makes and sorts a directory's children in steps, kept for the views", async () => {
    const { dir, close } = await bigDirectory();
    try {
      const { pauses, value } = stepsOf(sortedChildrenSteps(dir, 'size', () => true));
      expect(pauses).toBeGreaterThan(10);
      expect(isSorted(dir, 'size')).toBe(true);
      expect(sortedChildren(dir, 'size')).toBe(value);
      const sizes = value.map((node) => node.totalSize);
      expect(sizes).toEqual([...sizes].sort((a, b) => b - a));
      // Equal sizes by name, as the views sort.
      const fours = value.filter((node) => node.totalSize === 4).map((node) => node.name);
      expect(fours).toEqual([...fours].sort());
    } finally {
      await close();
    }
  });

  it('keeps the list a view sorted meanwhile', async () => {
    const { dir, close } = await bigDirectory();
    try {
      const steps = sortedChildrenSteps(dir, 'name', () => true);
      steps.next();
      const viewed = sortedChildren(dir, 'name');
      expect(runAtOnce(steps)).toBe(viewed);
      expect(sortedChildren(dir, 'name')).toBe(viewed);
    } finally {
      await close();
    }
  });
});
