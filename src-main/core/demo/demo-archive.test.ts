import { describe, expect, it } from 'vitest';
import { inspectArchive } from '../inspect';
import { loadImage } from '../image/load-image';
import { buildDemoArchive, demoArchivePath } from './demo-archive';

describe('the demo archive', () => {
  it('is byte-for-byte reproducible', async () => {
    const [a, b] = await Promise.all([buildDemoArchive(), buildDemoArchive()]);
    expect(a.equals(b)).toBe(true);
  });

  it('shows real layers, a deletion and a rewrite', async () => {
    const result = await inspectArchive(await demoArchivePath());
    expect(result.format).toBe('docker-save');
    expect(result.image.tags).toEqual(['strata/demo:1.0']);
    expect(result.layers.map((l) => [l.added, l.modified, l.removed])).toEqual([
      [15, 0, 0],
      [7, 0, 0],
      [7, 0, 0],
      [0, 4, 3],
    ]);
    expect(result.history).toHaveLength(10);
    expect(result.history.filter((h) => !h.emptyLayer).map((h) => h.layerIndex)).toEqual([
      0, 1, 2, 3,
    ]);
    const pkg =
      JSON.stringify(
        {
          name: 'hello-strata',
          version: '1.0.0',
          main: 'server.js',
          dependencies: { tiny: '1.0.0' },
        },
        null,
        2,
      ).length + 1;
    const html = '<!doctype html>\n<title>hello</title>\n<h1>hello, strata</h1>\n'.length;
    const svg =
      '<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16"><rect width="16" height="16" fill="#3b82f6"/></svg>\n'
        .length;
    expect(result.efficiency.wastedBytes).toBe(
      48 * 1024 + 32 * 1024 + 40 * 1024 + pkg + html + svg,
    );
  });

  it('marks an identical directory rewrite unchanged and a same-size content edit modified', async () => {
    const model = await loadImage(await demoArchivePath());
    try {
      const last = model.changeSets[3]!.changes;
      expect(last.get('/app')).toBe('unchanged');
      expect(last.get('/app/package.json')).toBe('modified');
      expect(last.get('/app/public')).toBe('modified');
      expect(last.get('/app/data.bin')).toBe('removed');
      expect(model.tree.get('/var/cache/apk')?.children?.size).toBe(0);
    } finally {
      await model.close();
    }
  });
});
