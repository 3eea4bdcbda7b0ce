import { describe, expect, it } from 'vitest';
import { loadImage } from '../image/load-image';
import { demoArchivePath } from '../demo/demo-archive';
import { computeEfficiency } from './efficiency';
import { wastedPaths } from './waste';

describe('wasted paths', () => {
  it('attribute every wasted byte of the demo image to a path, largest first', async () => {
    const model = await loadImage(await demoArchivePath());
    try {
      const waste = await wastedPaths(model);
      expect(waste.reduce((sum, w) => sum + w.wastedBytes, 0)).toBe(
        computeEfficiency(model.indexes, model.tree).wastedBytes,
      );
      expect(waste.map((w) => [w.path, w.kind])).toEqual([
        ['/var/cache/apk/APKINDEX.tar.gz', 'deleted'],
        ['/app/data.bin', 'deleted'],
        ['/var/cache/apk/nodejs-tiny.apk', 'deleted'],
        ['/app/package.json', 'overwritten'],
        // chown -R wrote these again with the same bytes: stored twice, not changed
        ['/app/public/logo.svg', 'duplicated'],
        ['/app/public/index.html', 'duplicated'],
      ]);
      expect(waste[0]).toEqual({
        path: '/var/cache/apk/APKINDEX.tar.gz',
        kind: 'deleted',
        wastedBytes: 48 * 1024,
        copies: [{ layer: 1, size: 48 * 1024 }],
      });
      expect(waste[5]!.copies.map((c) => c.layer)).toEqual([2, 3]);
    } finally {
      await model.close();
    }
  });
});
