import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoArchivePath } from '../demo/demo-archive';
import { loadImage, type ImageModel } from '../image/load-image';
import { sizeMap } from './size-map';
import { visibleBytes } from './efficiency';
import { packTar } from '../tar/pack-tar';
import { withLayers } from '../testing/malformed-cases';

let model: ImageModel;
beforeAll(async () => {
  model = await loadImage(await demoArchivePath());
});
afterAll(() => model.close());

describe('the size map', () => {
  it('splits the final file system by size, tagged with the layer that wrote the bytes', () => {
    const map = sizeMap(model, 3);
    expect(map.size).toBe(visibleBytes(model.tree));
    expect(map.children!.map((c) => [c.name, c.layer])).toEqual([
      ['bin', 0],
      ['usr', 1],
      ['2 more', 3], // /app and /etc are under 0.5% each; /app's bytes were last written by layer 3
    ]);
    const usr = map.children![1]!;
    expect(usr.children!.map((c) => c.name)).toEqual(['lib', 'share']);
  });

  it('folds small children into one node and stops at the depth asked', () => {
    const map = sizeMap(model, 3, '/', { depth: 1, minShare: 0.5 });
    expect(map.children!.map((c) => c.name)).toEqual(['bin', '3 more']);
    expect(map.children!.every((c) => c.children === undefined)).toBe(true);
    expect(map.children!.reduce((sum, c) => sum + c.size, 0)).toBe(map.size);
  });

  it('puts children of equal size in name order, whatever the order they were written in', async () => {
    const layer = await packTar([
      { name: 'srv/z.txt', body: 'same size' },
      { name: 'srv/dir/inner', body: 'same size' },
      { name: 'srv/a.txt', body: 'same size' },
    ]);
    const image = await loadImage(await withLayers([layer]), { store: null });
    try {
      const srv = sizeMap(image, 0, '/srv');
      expect(srv.children!.map((c) => c.name)).toEqual(['a.txt', 'dir', 'z.txt']);
    } finally {
      await image.close();
    }
  });
});
