import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { fixturePaths } from '../../../e2e/fixtures';
import { diffImages } from '../compare/diff-images';
import { loadImage } from '../image/load-image';
import { disputeOf, LayerIndexCache } from '../layer/index-cache';
import { expectLayersOf } from '../source/open-source';
import { packTar, type TarItem } from '../tar/pack-tar';
import type { DemoImage } from '../demo/demo-archive';
import { stopLayerWorkers, useLayerWorkers } from '../layer/layer-workers';
import { demo, legacyArchive, tempArchive } from '../testing/layouts';
import { claimingDiffId, withLayers } from '../testing/malformed-cases';
import { diffArchives } from './diff-columns';

const SCRIPT = new URL('../../../out/main/layer-worker.js', import.meta.url);

/** The diff through the image model, the layers the two share read once (the reference). */
async function throughModel(pathA: string, pathB: string) {
  const cache = new LayerIndexCache();
  await expectLayersOf(pathB, {}, cache);
  const a = await loadImage(pathA, { store: null, cache, changes: 'none' });
  try {
    const b = await loadImage(pathB, { store: null, cache, changes: 'none' });
    try {
      return {
        diff: await diffImages(a, b),
        disputed: b.indexes.map((index) => disputeOf(index) ?? null),
      };
    } finally {
      await b.close();
    }
  } finally {
    await a.close();
  }
}

async function throughColumns(pathA: string, pathB: string) {
  const { diff, layersB } = await diffArchives(pathA, pathB, { store: null });
  return { diff, disputed: layersB.map((layer) => disputeOf(layer) ?? null) };
}

/** Layers of few names and same-length contents, so that paths meet, replace and come back. */
function randomLayers(next: () => number, count: number): TarItem[][] {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const names = ['a', 'b', 'c', 'a', 'b', '.wh.a', '.wh.c', '.wh..wh..opq'];
  return Array.from({ length: count }, () =>
    Array.from({ length: Math.floor(next() * 10) }, (): TarItem => {
      const name = Array.from({ length: 1 + Math.floor(next() * 3) }, () => pick(names)).join('/');
      const type = pick(['file', 'file', 'file', 'directory', 'symlink', 'link'] as const);
      return {
        name: type === 'directory' ? `${name}/` : name,
        type,
        mode: pick([0o644, 0o755]),
        uid: pick([0, 0, 1]),
        ...(type === 'file' ? { body: pick(['one', 'two', 'one', 'six', '']) } : {}),
        ...(type === 'symlink' ? { linkname: pick(['x', 'y']) } : {}),
        ...(type === 'link' ? { linkname: pick(['a', 'b/a', 'c']) } : {}),
      };
    }),
  );
}

describe('diff on interned paths', () => {
  it("gives the image model's diff for every pair of fixtures, in several forms", async () => {
    const { fixtures } = fixturePaths();
    const forms = Object.entries(fixtures);
    let files = 0;
    for (const [a, formsA] of forms) {
      for (const [b, formsB] of forms) {
        const [pathA, pathB] = [formsA.archive, formsB.archive];
        const expected = await throughModel(pathA, pathB);
        expect(await throughColumns(pathA, pathB), `${a} ${b}`).toEqual(expected);
        files += expected.diff.files.length;
      }
    }
    expect(files).toBeGreaterThan(500);
    const [v1, v2] = [fixtures['compare-v1'], fixtures['compare-v2']];
    for (const [a, b] of [
      [v1.ociGzip, v2.archive],
      [v1.archive, v2.ociZstd],
      [v1.archiveGz, v2.archiveGz],
      [v2.ociGzip, v1.ociGzip],
    ] as const) {
      const expected = await throughModel(a, b);
      expect(expected.diff.files.length).toBeGreaterThan(0);
      expect(await throughColumns(a, b), `${a} ${b}`).toEqual(expected);
    }
  });

  it("gives the image model's diff for 150 random pairs that share a base", async () => {
    let seed = 7;
    const next = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
      return seed / 0x80000000;
    };
    // Other bytes of the same length, or another entry at the same path.
    const changed = (item: TarItem): TarItem =>
      item.type === 'file' && next() < 0.5
        ? { ...item, body: item.body === 'one' ? 'six' : 'one' }
        : { ...item, ...randomLayers(next, 1)[0]![0], name: item.name };
    const seen = { shared: 0, added: 0, removed: 0, modified: 0, content: 0 };
    for (let round = 0; round < 150; round++) {
      const base = await Promise.all(randomLayers(next, Math.floor(next() * 3)).map(packTar));
      // B's own layers are A's, a third of their entries changed, and at times one more.
      const ownA = randomLayers(next, 1 + Math.floor(next() * 3));
      const ownB = ownA.map((items) => items.map((item) => (next() < 0.35 ? changed(item) : item)));
      if (next() < 0.3) ownB.push(...randomLayers(next, 1));
      const pathA = await withLayers([...base, ...(await Promise.all(ownA.map(packTar)))]);
      const pathB = await withLayers([...base, ...(await Promise.all(ownB.map(packTar)))]);
      const expected = await throughModel(pathA, pathB);
      expect(await throughColumns(pathA, pathB), `round ${round}`).toEqual(expected);
      seen.shared += expected.diff.sharedLayers;
      for (const file of expected.diff.files) {
        seen[file.change]++;
        if (file.aspects?.includes('content')) seen.content++;
      }
    }
    for (const [what, count] of Object.entries(seen)) expect(count, what).toBeGreaterThan(30);
  });

  it('reads on its own a layer that claims the other image’s diff ID for other bytes', async () => {
    const image = await demo();
    const trusted = tempArchive(await legacyArchive(image), 'trusted.tar');
    const hostile = tempArchive(await legacyArchive(await claimingDiffId(image)), 'hostile.tar');
    const expected = await throughModel(trusted, hostile);
    const got = await throughColumns(trusted, hostile);
    expect(got).toEqual(expected);
    expect(got.disputed[1]).toContain(`is also claimed by a layer of ${trusted}`);
    expect(got.diff.files.map((f) => [f.path, f.change])).toEqual([
      ['/usr/lib/backdoor.so', 'added'],
      ['/usr/lib/libtiny.so.1', 'removed'],
    ]);
  });

  it('does not share a layer whose bytes do not match the diff ID both claim, read on the layer workers', async () => {
    const image = await demo();
    const gzipped = (img: DemoImage): DemoImage => ({
      ...img,
      layers: img.layers.map((layer, i) => (i === 2 ? gzipSync(layer) : layer)),
    });
    const trusted = tempArchive(await legacyArchive(gzipped(image)), 'trusted-gz.tar');
    const hostile = tempArchive(
      await legacyArchive(gzipped(await claimingDiffId(image, 2))),
      'hostile-gz.tar',
    );
    useLayerWorkers({ script: SCRIPT, minBytes: 0 });
    try {
      const expected = await throughModel(trusted, hostile);
      expect(expected.diff.sharedLayers).toBe(2);
      expect(await throughColumns(trusted, hostile)).toEqual(expected);
    } finally {
      useLayerWorkers({ script: null });
      await stopLayerWorkers();
    }
  });
});
