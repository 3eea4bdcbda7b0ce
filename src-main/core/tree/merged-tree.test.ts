import { describe, expect, it } from 'vitest';
import type { Change } from '../../api/model';
import type { LayerIndex } from '../layer/layer-index';
import { MergedTree } from './merged-tree';
import { runInTurns } from '../io/next-turn';
import { testLayer, type EntrySpec } from '../testing/test-layer';

const layer = testLayer;

function stack(...layers: LayerIndex[]): { tree: MergedTree; changes: Map<string, Change>[] } {
  const tree = new MergedTree();
  const changes = layers.map((l, i) => tree.apply(l, i).changes);
  return { tree, changes };
}

const paths = (tree: MergedTree): string[] => [...tree.walk()].map(([p]) => p);
const changed = (m: Map<string, Change>): Record<string, Change> =>
  Object.fromEntries([...m].filter(([, c]) => c !== 'unchanged'));

describe('stacking layers', () => {
  it('a whiteout removes a directory with all its descendants', () => {
    const { tree, changes } = stack(
      layer(['a/'], ['a/b/'], ['a/b/c', '0', { size: 3 }], ['d']),
      layer(['.wh.a']),
    );
    expect(paths(tree)).toEqual(['/d']);
    expect(changed(changes[1]!)).toEqual({
      '/a': 'removed',
      '/a/b': 'removed',
      '/a/b/c': 'removed',
    });
  });

  it('an opaque directory hides lower children but keeps those its own layer adds', () => {
    const { tree, changes } = stack(
      layer(['etc/'], ['etc/a', '0', { size: 1 }], ['etc/b', '0', { size: 1 }]),
      layer(['etc/'], ['etc/.wh..wh..opq'], ['etc/b', '0', { size: 2 }], ['etc/c']),
    );
    expect(paths(tree)).toEqual(['/etc', '/etc/b', '/etc/c']);
    expect(changed(changes[1]!)).toEqual({
      '/etc/a': 'removed',
      '/etc/b': 'modified',
      '/etc/c': 'added',
    });
  });

  it('the opaque marker counts wherever it stands in the layer', () => {
    const { tree } = stack(layer(['etc/'], ['etc/a']), layer(['etc/b'], ['etc/.wh..wh..opq']));
    expect(paths(tree)).toEqual(['/etc', '/etc/b']);
  });

  it('a file over a directory hides its whole subtree', () => {
    const { tree, changes } = stack(
      layer(['x/'], ['x/y/'], ['x/y/z']),
      layer(['x', '0', { size: 5 }]),
    );
    expect(paths(tree)).toEqual(['/x']);
    expect(changed(changes[1]!)).toEqual({
      '/x': 'modified',
      '/x/y': 'removed',
      '/x/y/z': 'removed',
    });
  });

  it('keeps what each path a layer touched was before it, whether or not the layer removed anything', () => {
    const tree = new MergedTree();
    tree.apply(layer(['a', '0', { size: 1 }], ['b', '0', { size: 1 }], ['x/'], ['x/y']), 0);
    // Only entries: a rewritten, c added.
    const rewrites = tree.apply(layer(['a', '0', { size: 2 }], ['c']), 1);
    // One by one first (a scan of the entries), then from the map.
    const oneByOne = ['/a', '/c', '/b', '/x'].map((path) => rewrites.placedBefore(path));
    expect(oneByOne[0]).toMatchObject({ layer: 0, entry: { size: 1 } });
    expect(oneByOne.slice(1)).toEqual([undefined, undefined, undefined]);
    expect(changed(rewrites.changes)).toEqual({ '/a': 'modified', '/c': 'added' });
    expect(rewrites.before.get('/a')).toMatchObject({ layer: 0, entry: { size: 1 } });
    expect(rewrites.before.get('/c') ?? null).toBeNull();
    // A rewrite, then a file over a directory: the directory's subtree is remembered too.
    const replaces = tree.apply(layer(['b', '0', { size: 3 }], ['x', '0', { size: 4 }]), 2);
    expect(changed(replaces.changes)).toEqual({
      '/b': 'modified',
      '/x': 'modified',
      '/x/y': 'removed',
    });
    expect(replaces.before.get('/b')).toMatchObject({ layer: 0, entry: { size: 1 } });
    expect(replaces.before.get('/x')).toMatchObject({ layer: 0, entry: { type: 'dir' } });
    expect(replaces.before.get('/x/y')).toMatchObject({ layer: 0, entry: { type: 'file' } });
  });

  it('a directory over a directory changes attributes only', () => {
    const { tree, changes } = stack(
      layer(['d/'], ['d/f']),
      layer(['d/', '5', { mode: 0o700 }]),
      layer(['d/', '5', { mode: 0o700 }]),
    );
    expect(paths(tree)).toEqual(['/d', '/d/f']);
    expect(changed(changes[1]!)).toEqual({ '/d': 'modified' });
    expect(changed(changes[2]!)).toEqual({});
    expect(changes[2]!.get('/d')).toBe('unchanged');
  });

  it('creates missing parent directories implicitly, and counts them as added', () => {
    const { tree, changes } = stack(layer(['usr/lib/x.so']));
    expect(paths(tree)).toEqual(['/usr', '/usr/lib', '/usr/lib/x.so']);
    expect(changed(changes[0]!)).toEqual({
      '/usr': 'added',
      '/usr/lib': 'added',
      '/usr/lib/x.so': 'added',
    });
  });

  it('a path deleted and written again in one layer is modified or unchanged, not removed', () => {
    const { changes } = stack(
      layer(['a', '0', { mode: 0o644 }], ['b']),
      layer(['.wh.a'], ['a', '0', { mode: 0o600 }]),
    );
    expect(changed(changes[1]!)).toEqual({ '/a': 'modified' });
  });

  it('a whiteout of a path that does not exist changes nothing', () => {
    const { changes } = stack(layer(['a']), layer(['.wh.nothing'], ['.wh..wh..plnk/1.2']));
    expect(changed(changes[1]!)).toEqual({});
  });

  it('compares symlink targets and owners', () => {
    const { changes } = stack(
      layer(['l', '2', { linkname: '/a' }], ['o']),
      layer(['l', '2', { linkname: '/b' }], ['o', '0', { uid: 1000 }]),
    );
    expect(changed(changes[1]!)).toEqual({ '/l': 'modified', '/o': 'modified' });
  });

  it('keeps a path 9,999 levels deep (the limit) without overflowing the stack', () => {
    const deep = Array.from({ length: 9_999 }, (_, i) => `d${i % 10}`).join('/');
    const { tree } = stack(layer([`${deep}/f`]));
    expect(paths(tree)).toHaveLength(10_000);
  });
});

describe('place: stacking without change sets', () => {
  const state = (tree: MergedTree) =>
    [...tree.walk()].map(([p, n]) => [p, n.placed.layer, n.placed.entry.path, n.placed.entry.type]);

  it('builds the same tree as apply, layer by layer, through every kind of replacement', () => {
    const layers = [
      layer(
        ['etc/'],
        ['etc/a'],
        ['etc/b'],
        ['usr/'],
        ['usr/lib/'],
        ['usr/lib/x'],
        ['opt/d/'],
        ['bin'],
      ),
      layer(['etc/.wh.a'], ['usr/lib'], ['bin/'], ['bin/sh'], ['new/deep/file'], ['etc/b']),
      layer(['usr/.wh..wh..opq'], ['usr/fresh'], ['opt/d/.wh.nothing'], ['new'], ['etc/', '5']),
      layer(
        ['new/again/f'],
        ['usr/lib/', '5'],
        ['usr/lib/y'],
        ['link', '1', { linkname: 'etc/b' }],
      ),
      layer(['.wh.usr'], ['usr/back'], ['etc/b'], ['etc/b']),
    ];
    const applied = new MergedTree();
    const placed = new MergedTree();
    for (const [i, l] of layers.entries()) {
      applied.apply(l, i);
      placed.place(l, i);
      expect(state(placed), `after layer ${i}`).toEqual(state(applied));
    }
  });
});

describe('applySteps: a big layer stacked in turns of the event loop', () => {
  it('pauses while it stacks, and ends with what apply gives', async () => {
    // 120k files in 120 directories over a base that the second layer partly rewrites and
    // deletes: the entries' fast path and the remembered paths' slow one both run long.
    const files = (prefix: string, n: number): EntrySpec[] =>
      Array.from(
        { length: n },
        (_, i) => [`${prefix}/d${Math.floor(i / 1000)}/f${i}`] as EntrySpec,
      );
    const base = layer(...files('srv', 120_000));
    const top = layer(
      ['srv/d0/.wh..wh..opq', '0'],
      ...files('srv', 60_000),
      ...files('app', 60_000),
    );
    const applied = stack(base, top);

    const tree = new MergedTree();
    let turns = 0;
    const counting = setInterval(() => turns++, 0);
    const steps: Change[][] = [];
    try {
      for (const [i, l] of [base, top].entries()) {
        const changes = await runInTurns(tree.applySteps(l, i));
        steps.push([...changes.changes.values()]);
      }
    } finally {
      clearInterval(counting);
    }
    expect(turns).toBeGreaterThan(0);
    expect(paths(tree)).toEqual(paths(applied.tree));
    expect(steps).toEqual(applied.changes.map((m) => [...m.values()]));
  });
});

describe("a layer's change of each node it placed", () => {
  it('is the change its map gives by path, without making the map', async () => {
    const base = layer(['etc/'], ['etc/a', '0', { size: 1 }], ['etc/b', '0', { size: 2 }], ['x']);
    // Mostly added; /etc/a rewritten as it was (unchanged), /etc/b resized (modified); /new/deep
    // implied by its file, with no entry of its own.
    const over = layer(
      ['etc/a', '0', { size: 1 }],
      ['etc/b', '0', { size: 5 }],
      ...Array.from({ length: 50 }, (_, i): EntrySpec => [`lib/f${i}`]),
      ['new/deep/file'],
    );
    // A layer mostly of rewrites (its usual change is "unchanged") and of removals.
    const again = layer(['etc/a', '0', { size: 1 }], ['x', '0', { size: 9 }], ['.wh.lib']);
    for (const layers of [
      [base, over],
      [base, over, again],
    ]) {
      const tree = new MergedTree();
      const sets = layers.map((l, i) => tree.apply(l, i));
      const top = layers.length - 1;
      const changeOf = await runInTurns(sets[top]!.placedChangeSteps(() => true));
      const byMap: Record<string, Change> = {};
      const byNode: Record<string, Change> = {};
      for (const [path, node] of tree.walk()) {
        if (node.layer !== top) continue;
        byMap[path] = sets[top]!.changes.get(path) ?? 'unchanged';
        byNode[path] = changeOf(node);
      }
      expect(byNode).toEqual(byMap);
      expect(new Set(Object.values(byNode)).size).toBeGreaterThan(1);
    }
  });
});

describe('placing a layer in steps', () => {
  it('pauses where asked, and places what placing at once does', () => {
    const lower = layer(['a/'], ['a/old'], ['b']);
    const upper = layer(
      ['.wh.b'],
      ...Array.from({ length: 3000 }, (_, i): EntrySpec => [`a/f${i}`]),
    );
    const atOnce = new MergedTree();
    atOnce.place(lower, 0);
    atOnce.place(upper, 1);
    const inSteps = new MergedTree();
    let pauses = 0;
    for (const l of [lower, upper]) {
      const steps = inSteps.placeSteps(l, l === lower ? 0 : 1, () => true);
      while (!steps.next().done) pauses++;
    }
    expect(pauses).toBe(2); // at the 1024th and 2048th entries of the upper layer
    expect(paths(inSteps)).toEqual(paths(atOnce));
  });
});
