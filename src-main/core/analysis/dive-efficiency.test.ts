import { describe, expect, it } from 'vitest';
import { LayerIndexBuilder } from '../layer/index-builder';
import type { LayerIndex } from '../layer/layer-index';
import { MergedTree } from '../tree/merged-tree';
import { computeEfficiency } from './efficiency';
import { diveEfficiency, DiveStack } from './dive-efficiency';

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

  it('is 1 for an image with nothing stored', () => {
    expect(diveEfficiency([layer(['etc/'])])).toEqual({
      score: 1,
      wastedBytes: 0,
      userWastedPercent: 0,
    });
  });
});
