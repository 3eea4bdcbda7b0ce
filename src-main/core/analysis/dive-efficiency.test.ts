import { describe, expect, it } from 'vitest';
import { LayerIndexBuilder } from '../layer/index-builder';
import type { LayerIndex } from '../layer/layer-index';
import { MergedTree } from '../tree/merged-tree';
import type { Efficiency } from '../../api/model';
import { WHITEOUT_PREFIX } from '../layer/entry-path';
import { computeEfficiency } from './efficiency';
import { diveEfficiency, DiveStack } from './dive-efficiency';
import { runAtOnce, runInTurns } from '../io/next-turn';
import { columnsOf } from '../columns/layer-columns';
import { PathTree } from '../tree/path-tree';

function layer(...specs: [string, number?, number?][]): LayerIndex {
  const b = new LayerIndexBuilder('sha256:x', 'none', 'L');
  for (const [name, size = 0, mode = 0o644] of specs) {
    b.add({
      name,
      typeflag: name.endsWith('/') ? '5' : '0',
      size,
      mode,
      uid: 0,
      gid: 0,
      mtime: 0,
      linkname: '',
      dataOffset: 0,
    });
  }
  return b.finish();
}

// Worked by hand from dive's algorithm (REFERENCE.md):
//   layer 0: /a/ /a/f(100) /a/g(50) /b(10)        leaves /a/f, /a/g, /b
//   layer 1: /a/ /a/f(100) rewritten, /b chmod    leaves /a/f, /b
//   layer 2: /.wh.a (a directory holding 150)     key /a, size 150
//   layer 3: /.wh.b and /c(10): /b moved to /c    key /b, size 0 (a file); /c
// keys: /a/f cum 200 min 100 n2 | /a/g 50 50 n1 | /b 20 0 n3 | /a 150 150 n1 | /c 10 10 n1
const LAYERS = [
  layer(['a/'], ['a/f', 100], ['a/g', 50], ['b', 10]),
  layer(['a/'], ['a/f', 100], ['b', 10, 0o600]),
  layer(['.wh.a']),
  layer(['.wh.b'], ['c', 10]),
];

describe("dive's figures", () => {
  it('match a hand count: a rewrite, a chmod, a deleted directory, a move', () => {
    const dive = diveEfficiency(LAYERS);
    expect(dive.score).toBeCloseTo(310 / 430, 12);
    expect(dive.wastedBytes).toBe(200 + 20);
    expect(dive.userWastedPercent).toBeCloseTo(220 / (110 + 0 + 10), 12);
  });

  it("differ from Strata's own on purpose", () => {
    const tree = new MergedTree();
    LAYERS.forEach((l, i) => tree.apply(l, i));
    // stored 160 + 110 + 0 + 10 = 280, visible: /c only
    expect(computeEfficiency(LAYERS, tree)).toEqual({
      score: 10 / 280,
      wastedBytes: 270,
      userWastedPercent: 270 / 120,
    });
  });

  it('counts a path deleted and written again under the same path', () => {
    //   layer 0: /d/ /d/x(30)             leaf /d/x
    //   layer 1: /.wh.d (holding 30)      key /d, size 30
    //   layer 2: /d/x(40)                 leaf /d/x again
    //   layer 3: /d/.wh.x and /d/x(5)     key /d/x size 0 (a file), and leaf /d/x
    // keys: /d/x cum 75 min 0 n4 | /d 30 30 n1
    const dive = diveEfficiency([
      layer(['d/'], ['d/x', 30]),
      layer(['.wh.d']),
      layer(['d/x', 40]),
      layer(['d/.wh.x'], ['d/x', 5]),
    ]);
    expect(dive.score).toBeCloseTo(30 / 105, 12);
    expect(dive.wastedBytes).toBe(75);
    expect(dive.userWastedPercent).toBeCloseTo(75 / 45, 12);
  });

  it('holds nothing of a deleted file in the directory placed again at its path', () => {
    //   layer 0: /p/ /p/a(10)             leaf /p/a
    //   layer 1: /p/.wh.a                 key /p/a, size 0 (a file)
    //   layer 2: /p/a/b(5)                /p/a comes back as an implicit parent, empty; leaf /p/a/b
    //   layer 3: /.wh.p (holding 5)       key /p, size 5
    // keys: /p/a cum 10 min 0 n2 | /p/a/b 5 5 n1 | /p 5 5 n1
    const layers = [
      layer(['p/'], ['p/a', 10]),
      layer(['p/.wh.a']),
      layer(['p/a/b', 5]),
      layer(['.wh.p']),
    ];
    expect(diveEfficiency(layers)).toEqual({ score: 0.5, wastedBytes: 10, userWastedPercent: 2 });
    expect(literalDive(layers)).toEqual(diveEfficiency(layers));
  });

  it('counts no leaf for an entry its own layer writes below, a whiteout included', () => {
    //   layer 0: /a(10)                   leaf /a
    //   layer 1: /a/ and /a/.wh.b         /a holds the whiteout: no leaf; key /a/b, size 0
    // keys: /a cum 10 min 10 n1 | /a/b 0 0 n1
    const dive = diveEfficiency([layer(['a', 10]), layer(['a/'], ['a/.wh.b'])]);
    expect(dive).toEqual({ score: 1, wastedBytes: 0, userWastedPercent: 0 });
    // The same, a file below instead of a whiteout.
    expect(diveEfficiency([layer(['a', 10]), layer(['a/'], ['a/b', 0])]).wastedBytes).toBe(0);
  });

  it('keeps every column as the layers given one by one outgrow its first arrays', () => {
    // 3,000 files of 1 byte, each rewritten once: every path counted twice, all of it wasted.
    const names = Array.from({ length: 3000 }, (_, i) => [`f${i}`, 1] as [string, number]);
    const stack = new DiveStack();
    stack.add(layer(...names));
    expect(stack.figures()).toEqual({ score: 1, wastedBytes: 0, userWastedPercent: 0 });
    stack.add(layer(...names));
    expect(stack.figures()).toEqual({ score: 0.5, wastedBytes: 6000, userWastedPercent: 2 });
  });

  it('counts the same when stacked in steps, pausing for the event loop', async () => {
    // 100k files of 1 byte, each rewritten once: long enough to pause several times.
    const names = Array.from(
      { length: 100_000 },
      (_, i) => [`d${i % 100}/f${i}`, 1] as [string, number],
    );
    const layers = [layer(...names), layer(...names)];
    const stack = new DiveStack();
    let turns = 0;
    const counting = setInterval(() => turns++, 0);
    try {
      for (const index of layers) await runInTurns(stack.addSteps(index));
    } finally {
      clearInterval(counting);
    }
    expect(turns).toBeGreaterThan(0);
    expect(stack.figures()).toEqual(diveEfficiency(layers));
    expect(stack.figures().wastedBytes).toBe(200_000);
  });

  it('is 1 for an image with nothing stored', () => {
    expect(diveEfficiency([layer(['etc/'])])).toEqual({
      score: 1,
      wastedBytes: 0,
      userWastedPercent: 0,
    });
  });
});

/**
 * dive's steps (REFERENCE.md) done literally on flat maps of paths: each layer's leaves keyed by
 * path, the stacked tree a map from path to size and kind that whiteouts delete from.
 */
function literalDive(layers: readonly LayerIndex[]): Efficiency {
  const keys = new Map<string, { cumulative: number; minimum: number; visits: number }>();
  const stacked = new Map<string, { size: number; isDir: boolean }>();
  const visit = (key: string, size: number): void => {
    const k = keys.get(key) ?? { cumulative: 0, minimum: Infinity, visits: 0 };
    keys.set(key, {
      cumulative: k.cumulative + size,
      minimum: Math.min(k.minimum, size),
      visits: k.visits + 1,
    });
  };
  const under = (path: string): string[] =>
    [...stacked.keys()].filter((p) => p === path || p.startsWith(`${path}/`));
  const ancestors = (path: string): string[] =>
    path
      .split('/')
      .slice(1, -1)
      .map((_, i, names) => `/${names.slice(0, i + 1).join('/')}`);
  let userSize = 0;
  layers.forEach((layer, i) => {
    if (i > 0) userSize += layer.size;
    const asNodes = layer.whiteouts.map((t) => t.replace(/\/([^/]*)$/, `/${WHITEOUT_PREFIX}$1`));
    const inner = new Set([...layer.entries.map((e) => e.path), ...asNodes].flatMap(ancestors));
    layer.whiteouts.forEach((target, w) => {
      if (inner.has(asNodes[w]!)) return;
      const lower = stacked.get(target);
      visit(
        target,
        lower?.isDir ? under(target).reduce((sum, p) => sum + stacked.get(p)!.size, 0) : 0,
      );
    });
    // dive's implicit parents: in the stacked tree, neither sized nor directories.
    const implicit = (path: string): void => {
      for (const dir of ancestors(path))
        if (!stacked.has(dir)) stacked.set(dir, { size: 0, isDir: false });
    };
    layer.whiteouts.forEach(implicit);
    for (const entry of layer.entries) {
      implicit(entry.path);
      const size = entry.type === 'file' ? entry.size : 0;
      const isDir = entry.type === 'dir';
      const leaf = !inner.has(entry.path);
      if (leaf) visit(entry.path, size);
      if (size || isDir || leaf) stacked.set(entry.path, { size, isDir });
      else if (!stacked.has(entry.path)) stacked.set(entry.path, { size: 0, isDir: false });
    }
    for (const target of layer.whiteouts) {
      implicit(target);
      for (const path of under(target)) stacked.delete(path);
    }
  });
  let minimum = 0;
  let cumulative = 0;
  let wastedBytes = 0;
  for (const k of keys.values()) {
    minimum += k.minimum;
    cumulative += k.cumulative;
    if (k.visits > 1) wastedBytes += k.cumulative;
  }
  return {
    score: cumulative === 0 ? 1 : minimum / cumulative,
    wastedBytes,
    userWastedPercent: userSize === 0 ? 0 : wastedBytes / userSize,
  };
}

/** A small generator of layers: few names, so that paths meet, nest, are deleted and come back. */
function randomLayers(seed: number): LayerIndex[] {
  const next = (): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
    return seed / 0x80000000;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const names = ['a', 'b', 'ab', 'c', '.wh.a', '.wh.b', '.wh.ab', '.wh..wh..opq', 'é'];
  return Array.from({ length: 1 + Math.floor(next() * 6) }, () => {
    const specs = Array.from({ length: Math.floor(next() * 12) }, () => {
      const name = Array.from({ length: 1 + Math.floor(next() * 4) }, () => pick(names)).join('/');
      const size = Math.floor(next() * 100);
      return [next() < 0.3 ? `${name}/` : name, size] as [string, number];
    });
    return layer(...specs);
  });
}

describe("dive's figures against dive's steps done literally", () => {
  it('agree on 5,000 random stacks of deletions, rewrites and paths placed again', () => {
    let wasted = 0;
    let deleting = 0;
    for (let seed = 1; seed <= 5000; seed++) {
      const layers = randomLayers(seed);
      // Room for 2 paths at first: every stack grows its columns and its table.
      const stack = new DiveStack(2);
      layers.forEach((l, i) => {
        stack.add(l);
        expect(stack.figures(), `seed ${seed}, layer ${i}`).toEqual(
          literalDive(layers.slice(0, i + 1)),
        );
      });
      if (stack.figures().wastedBytes) wasted++;
      if (layers.some((l) => l.whiteouts.length)) deleting++;
    }
    // The generator makes both kinds often enough to mean something.
    expect(wasted).toBeGreaterThan(1000);
    expect(deleting).toBeGreaterThan(1000);
  });
});

describe("dive's figures of layers given as columns of the image's path tree", () => {
  it('are those of the same layers given as indexes, on 2,000 random stacks', () => {
    for (let seed = 1; seed <= 2000; seed++) {
      const layers = randomLayers(seed);
      const tree = new PathTree(2);
      const stack = new DiveStack(2, tree);
      layers.forEach((l, i) => {
        runAtOnce(stack.addColumnsSteps(columnsOf(l, tree), l.size));
        expect(stack.figures(), `seed ${seed}, layer ${i}`).toEqual(
          literalDive(layers.slice(0, i + 1)),
        );
      });
    }
  });
});
