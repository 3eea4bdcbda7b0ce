import { rmSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { diffImages } from '../compare/diff-images';
import type { DemoImage } from '../demo/demo-archive';
import { loadImage, type ImageModel } from '../image/load-image';
import { packTar } from '../tar/pack-tar';
import {
  containerdLayout,
  demo,
  legacyArchive,
  podmanLayout,
  tempArchive,
} from '../testing/layouts';
import { claimingDiffId } from '../testing/malformed-cases';
import { expectLayersOf } from '../source/open-source';
import { LayerIndexCache } from './index-cache';
import type { LayerIndex } from './layer-index';
import { readLayer } from './read-layer';

let image: DemoImage;
let trustedPath: string;
const open: ImageModel[] = [];
const load = async (path: string, cache: LayerIndexCache): Promise<ImageModel> => {
  const model = await loadImage(path, { cache, store: null });
  open.push(model);
  return model;
};
const paths = (model: ImageModel): string[] => [...model.tree.walk()].map(([path]) => path);

/** The base layer with /etc/os-release's bytes changed (same length: the tar stays valid). */
const changedBase = (): Buffer => {
  const base = image.layers[0]!;
  const changed = Buffer.from(base);
  changed.write('Evil!! Demo Linux', base.indexOf('Strata Demo Linux'));
  return changed;
};

beforeAll(async () => {
  image = await demo();
  trustedPath = tempArchive(await legacyArchive(image), 'trusted.tar');
});
afterAll(async () => {
  await Promise.all(open.map((m) => m.close()));
});

describe('the layer index cache serves only copies proven to hold the same bytes', () => {
  it('a copy of the layer in another file is compared byte for byte, then shared', async () => {
    const cache = new LayerIndexCache();
    const a = await load(trustedPath, cache);
    const copy = tempArchive(await legacyArchive(image), 'copy.tar');
    const b = await load(copy, cache);
    b.indexes.forEach((index, i) => expect(index).toBe(a.indexes[i]));
    expect((await diffImages(a, b)).files).toEqual([]);
  });

  it('copies said in advance are compared while the image holding the index is read', async () => {
    const cache = new LayerIndexCache();
    const proofs = vi.spyOn(cache as unknown as { prove: () => void }, 'prove');
    const copy = tempArchive(await legacyArchive(image), 'early-copy.tar');
    const hostile = tempArchive(
      await legacyArchive(await claimingDiffId(image)),
      'early-hostile.tar',
    );
    await expectLayersOf(copy, {}, cache);
    await expectLayersOf(hostile, {}, cache);
    const a = await load(trustedPath, cache);
    // Every layer of each copy, as the trusted one's index of it was held.
    expect(proofs).toHaveBeenCalledTimes(2 * a.indexes.length);
    const b = await load(copy, cache);
    b.indexes.forEach((index, i) => expect(index).toBe(a.indexes[i]));
    const c = await load(hostile, cache);
    expect(c.indexes[0]).toBe(a.indexes[0]);
    expect(c.indexes[1]).not.toBe(a.indexes[1]);
    expect(paths(c)).toContain('/usr/lib/backdoor.so');
    expect(c.indexes[1]!.notes[0]).toMatch(/holds other bytes; this copy was read on its own/);
    expect(proofs).toHaveBeenCalledTimes(2 * a.indexes.length);
  });

  it('a compressed archive is not opened in advance: its layers lie in a spool each open makes', async () => {
    const cache = new LayerIndexCache();
    const expected = vi.spyOn(cache, 'expect');
    const gzipped = tempArchive(gzipSync(await legacyArchive(image)), 'early-copy.tar.gz');
    await expectLayersOf(gzipped, {}, cache);
    expect(expected).not.toHaveBeenCalled();
    await expectLayersOf(trustedPath, {}, cache);
    expect(expected).toHaveBeenCalledTimes(image.layers.length);
  });

  it('an archive claiming a trusted layer’s diff ID for other files is read on its own', async () => {
    const cache = new LayerIndexCache();
    const a = await load(trustedPath, cache);
    const hostile = tempArchive(await legacyArchive(await claimingDiffId(image)), 'hostile.tar');
    const b = await load(hostile, cache);
    expect(b.indexes[1]).not.toBe(a.indexes[1]);
    expect(paths(b)).toContain('/usr/lib/backdoor.so');
    expect(paths(b)).not.toContain('/usr/lib/libtiny.so.1');
    expect(b.indexes[1]!.notes).toEqual([
      `its diff ID ${a.indexes[1]!.diffId} is also claimed by a layer of ${trustedPath} that holds other bytes; this copy was read on its own`,
    ]);
    // The layers whose bytes are the trusted ones are still shared.
    expect(b.indexes[0]).toBe(a.indexes[0]);
    const diff = await diffImages(a, b);
    expect(diff.files.map((f) => [f.path, f.change])).toEqual([
      ['/usr/lib/backdoor.so', 'added'],
      ['/usr/lib/libtiny.so.1', 'removed'],
    ]);
    // The stacks are shared up to the layer found to differ.
    expect(diff.sharedLayers).toBe(1);
  });

  it('a file changed inside a layer that claims the trusted diff ID shows in the diff', async () => {
    const cache = new LayerIndexCache();
    const a = await load(trustedPath, cache);
    const b = await load(
      tempArchive(await legacyArchive(await claimingDiffId(image, 0, changedBase()))),
      cache,
    );
    const diff = await diffImages(a, b);
    expect(diff.files.map((f) => [f.path, f.change, f.aspects])).toEqual([
      ['/etc/os-release', 'modified', ['content']],
    ]);
  });

  it('a compressed copy with other bytes is read (and checked) on its own', async () => {
    const cache = new LayerIndexCache();
    const a = await load(tempArchive(await containerdLayout(image, false)), cache);
    const other = await packTar([{ name: 'etc/', type: 'directory' }]);
    const b = await load(
      tempArchive(await containerdLayout(await claimingDiffId(image, 2, other), false)),
      cache,
    );
    expect(b.indexes[2]).not.toBe(a.indexes[2]);
    // Its content is hashed as it is read: the claim is found false there.
    expect(b.indexes[2]!.notes.join('\n')).toMatch(/does not match its diff ID/);
  });

  it('the same layers stored otherwise (gzip, not plain) are read on their own, without a warning', async () => {
    const cache = new LayerIndexCache();
    const a = await load(trustedPath, cache);
    const b = await load(tempArchive(await containerdLayout(image, false)), cache);
    b.indexes.forEach((index, i) => {
      expect(index).not.toBe(a.indexes[i]);
      expect(index.notes).toEqual([]);
      expect(index.entries.map((e) => e.path)).toEqual(a.indexes[i]!.entries.map((e) => e.path));
    });
  });

  it('the same file is served without reading it again, and not once it was rewritten', async () => {
    const cache = new LayerIndexCache();
    const path = tempArchive(await legacyArchive(image));
    const a = await load(path, cache);
    const again = await load(path, cache);
    again.indexes.forEach((index, i) => expect(index).toBe(a.indexes[i]));
    // Rewritten in place, the same size, a file's bytes changed: the bytes the cached indexes
    // came from are gone, so every layer is read again (nothing is claimed of bytes not seen).
    writeFileSync(path, await legacyArchive(await claimingDiffId(image, 0, changedBase())));
    const rewritten = await load(path, cache);
    rewritten.indexes.forEach((index, i) => {
      expect(index).not.toBe(a.indexes[i]);
      expect(index.notes).toEqual([]);
    });
  });

  it('an index whose file is gone gives its place to the next copy read', async () => {
    const cache = new LayerIndexCache();
    const gone = tempArchive(await legacyArchive(image));
    await load(gone, cache);
    rmSync(gone);
    const b = await load(tempArchive(await legacyArchive(image)), cache);
    const c = await load(tempArchive(await legacyArchive(image)), cache);
    c.indexes.forEach((index, i) => expect(index).toBe(b.indexes[i]));
  });

  /** The archive loaded with `index` as the member's own (an export's, made as it was written). */
  const loadOwning = async (path: string, member: string, index: LayerIndex) => {
    const model = await loadImage(path, { store: null, ownIndexes: new Map([[member, index]]) });
    open.push(model);
    return model;
  };

  it('an index made from the file itself as it was written is taken as it is', async () => {
    const layer = (await load(trustedPath, new LayerIndexCache())).resolved.layers[3]!;
    const made = await readLayer(layer.blob, layer.diffId, 'made');
    expect((await loadOwning(trustedPath, layer.stored, made)).indexes[3]).toBe(made);
    // Not when it was given another diff ID than the config gives the layer.
    const other = { ...made, diffId: 'sha256:other' };
    const wrong = await loadOwning(trustedPath, layer.stored, other);
    expect(wrong.indexes[3]).not.toBe(other);
    expect(wrong.indexes[3]!.entries).toEqual(made.entries);
  });

  it('an index made from the file itself is found through the links podman names layers by', async () => {
    const path = tempArchive(await podmanLayout(image));
    const layer = (await load(path, new LayerIndexCache())).resolved.layers[1]!;
    // The manifest names `<legacy id>/layer.tar`, a link to the `<hex>.tar` holding the bytes.
    expect(layer.member).not.toBe(layer.stored);
    const made = await readLayer(layer.blob, layer.diffId, 'made');
    expect((await loadOwning(path, layer.stored, made)).indexes[1]).toBe(made);
  });
});
