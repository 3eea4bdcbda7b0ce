import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadImage, type ImageModel } from '../image/load-image';
import { LayerIndexCache } from '../layer/index-cache';
import { demo, demoV2, legacyArchive, podmanLayout, tempArchive } from '../testing/layouts';
import { diffImages } from './diff-images';

let v1: ImageModel;
let v2: ImageModel;
let v1Podman: ImageModel;
beforeAll(async () => {
  const cache = new LayerIndexCache();
  v1 = await loadImage(tempArchive(await legacyArchive(await demo())), { cache });
  v2 = await loadImage(tempArchive(await legacyArchive(await demoV2())), { cache });
  v1Podman = await loadImage(tempArchive(await podmanLayout(await demo())));
});
afterAll(async () => Promise.all([v1.close(), v2.close(), v1Podman.close()]));

describe('comparing two images', () => {
  it('lists exactly the changes of v2, with what changed in each modified path', async () => {
    const diff = await diffImages(v1, v2);
    expect(diff.sharedLayers).toBe(4);
    expect(diff.files.map((f) => [f.path, f.change, f.aspects ?? []])).toEqual([
      ['/app/CHANGELOG.md', 'added', []],
      ['/app/public/logo.svg', 'removed', []],
      ['/app/server.js', 'modified', ['mode']],
      ['/etc/os-release', 'modified', ['content']],
    ]);
    expect(diff.summary).toEqual({ added: 1, removed: 1, modified: 2 });
    expect(diff.files[1]!.a).toMatchObject({ type: 'file', uid: 1000 });
    expect(diff.files[1]!.b).toBeNull();
  });

  it('aligns the stacks: the shared base once, then the divergent steps', async () => {
    const diff = await diffImages(v1, v2);
    expect(diff.layers.map((l) => [l.shared, l.a?.index ?? null, l.b?.index ?? null])).toEqual([
      [true, 0, 0],
      [true, 1, 1],
      [true, 2, 2],
      [true, 3, 3],
      [false, null, 4],
    ]);
    expect(diff.layers[4]!.b!.command).toContain('chmod +x /app/server.js');
    expect(diff.sizeDelta).toBe(v2.indexes[4]!.size);
  });

  it('diffs the config per field, env and labels per key', async () => {
    const diff = await diffImages(v1, v2);
    expect(diff.config).toEqual([
      { field: 'env.NODE_ENV', a: 'production', b: 'staging' },
      { field: 'label.org.example.channel', a: null, b: 'beta' },
    ]);
  });

  it('finds no difference between two layouts of the same image', async () => {
    const diff = await diffImages(v1, v1Podman);
    expect(diff.files).toEqual([]);
    expect(diff.config).toEqual([]);
    expect(diff.sharedLayers).toBe(4);
    expect(diff.sizeDelta).toBe(0);
  });

  it('swapping A and B swaps added and removed', async () => {
    const diff = await diffImages(v2, v1);
    expect(diff.files.map((f) => [f.path, f.change])).toEqual([
      ['/app/CHANGELOG.md', 'removed'],
      ['/app/public/logo.svg', 'added'],
      ['/app/server.js', 'modified'],
      ['/etc/os-release', 'modified'],
    ]);
  });
});
