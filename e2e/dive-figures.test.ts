// dive's figures on an engine-built image, worked out by hand from dive's algorithm
// (REFERENCE.md "dive's figures") for: a file rewritten, a chmod, a file moved, a directory deleted.
import { describe, expect, it } from 'vitest';
import { inspectArchive } from '../src-main/core/inspect';
import { fixturePaths } from './fixtures';

describe("dive's figures, by hand", () => {
  it('match exactly', async () => {
    const r = await inspectArchive(fixturePaths().fixtures['dive-figures'].archive);
    const S = r.layers[0]!.size; // the base layer: /bin/busybox, its only regular file
    // layer sizes: 1 links 0 | 2 a 100 | 3 b 200 | 4 tree 700 | 5 a 150 | 6 b 200 | 7 c 150 | 8 rm 0
    expect(r.layers.map((l) => l.size)).toEqual([S, 0, 100, 200, 700, 150, 200, 150, 0]);
    // keys: /bin/busybox S | /data/a.txt 100+150+0 (min 0, 3 visits) | /data/b.txt 200+200 (min
    // 200, 2) | /tree/x 300 | /tree/y 400 | /data/c.txt 150 | /tree 700 (the whiteout of a
    // directory counts what the directory held) | every symlink and empty directory 0
    // min sum S + 1750, cumulative sum S + 2200, wasted 250 + 400, user size 1500
    expect(r.dive.efficiency).toBeCloseTo((S + 1750) / (S + 2200), 12);
    expect(r.dive.wastedBytes).toBe(650);
    expect(r.dive.userWastedPercent).toBeCloseTo(650 / 1500, 12);
    // Strata's own: stored S + 1500, visible S + 350 (b.txt, c.txt)
    expect(r.efficiency.wastedBytes).toBe(1150);
  });
});
