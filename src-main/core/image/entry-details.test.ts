import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { demoArchivePath } from '../demo/demo-archive';
import { containerdLayout, demo, tempArchive } from '../testing/layouts';
import { entryDetails, readEntryBytes } from './entry-details';
import { treeAt } from './layer-view';
import { loadImage, type ImageModel } from './load-image';

const PACKAGE_V1 = '"version": "1.0.0"';
let plain: ImageModel;
let gzip: ImageModel;
beforeAll(async () => {
  plain = await loadImage(await demoArchivePath());
  gzip = await loadImage(tempArchive(await containerdLayout(await demo(), true)));
});
afterAll(async () => {
  await plain.close();
  await gzip.close();
});

describe('one path in the inspector', () => {
  it('stacks an earlier layer once for a run of questions about it, keeping a few', () => {
    const tree = treeAt(plain, 1);
    expect(treeAt(plain, 1)).toBe(tree);
    expect(treeAt(plain, 1).get('/usr/lib/libtiny.so.1')).toBeDefined();
    for (const layer of [0, 2, 0, 2]) treeAt(plain, layer);
    expect(treeAt(plain, 1)).toBe(tree);
    expect(treeAt(plain, 3)).toBe(plain.tree);
  });

  it('tells which layers wrote it and what the selected layer did', () => {
    const details = entryDetails(plain, 3, '/app/package.json');
    expect(details).toMatchObject({ type: 'file', mode: 0o644, layer: 3, change: 'modified' });
    expect(details.history).toEqual([
      { layer: 2, change: 'added', type: 'file', size: details.size },
      { layer: 3, change: 'modified', type: 'file', size: details.size },
    ]);
  });

  it("answers without making any layer's change map by path", async () => {
    const model = await loadImage(await demoArchivePath());
    try {
      const made = model.changeSets.map((set) => vi.spyOn(set!, 'changes', 'get'));
      const details = entryDetails(model, 3, '/app/package.json');
      expect(details.history.map((h) => [h.layer, h.change])).toEqual([
        [2, 'added'],
        [3, 'modified'],
      ]);
      expect(entryDetails(model, 0, '/bin/sh').history[0]).toMatchObject({ change: 'added' });
      expect(made.map((spy) => spy.mock.calls.length)).toEqual([0, 0, 0, 0]);
    } finally {
      await model.close();
    }
  });

  it('resolves symlinks inside the image and says where they lead', () => {
    expect(entryDetails(plain, 3, '/bin/sh')).toMatchObject({
      type: 'symlink',
      linkTarget: '/bin/busybox',
      resolvedPath: '/bin/busybox',
    });
  });

  it('shows a removed file as of the layer that removed it', () => {
    expect(entryDetails(plain, 3, '/app/data.bin')).toMatchObject({
      change: 'removed',
      layer: 2,
      size: 40 * 1024,
    });
    expect(() => entryDetails(plain, 2, '/nope')).toThrow(/\/nope does not exist as of layer 2/);
  });

  it.each([
    ['a plain layer', () => plain],
    ['a gzip layer', () => gzip],
  ])('reads pages of bytes from %s, removed files included', async (_name, model) => {
    const all = await readEntryBytes(model(), 2, '/app/package.json', 0, 1 << 20);
    expect(all.bytes.toString()).toContain(PACKAGE_V1);
    expect(all.total).toBe(all.bytes.length);
    const page = await readEntryBytes(model(), 2, '/app/package.json', 5, 10);
    expect(page.bytes).toEqual(all.bytes.subarray(5, 15));
    const removed = await readEntryBytes(model(), 3, '/app/data.bin', 40 * 1024 - 4, 100);
    expect(removed.bytes).toHaveLength(4);
    await expect(readEntryBytes(model(), 3, '/app', 0, 10)).rejects.toThrow(
      /is a dir; only files have contents/,
    );
  });
});
