// An image opened from an engine keeps its layer indexes for the next process: they are stored
// while the image is shown, and close() does not return before they are, so a reopen (from the
// export cache) reads every layer from the store rather than from the archive.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtureEngine, type FixtureEngine } from '../../../e2e/fixtures/live-engine';
import { removeTempDirs, tempDir } from '../../../e2e/engine/temp-dirs';
import { guardEngineImages } from '../../../e2e/engine/image-guard-vitest';
import { IndexStore, useIndexStore } from '../layer/index-store';
import { ExportCache } from './export-cache';
import { openSource } from './open-source';

let engine: FixtureEngine;

beforeAll(async () => {
  engine = await startFixtureEngine();
}, 240_000);

afterAll(async () => {
  await engine?.release();
  await removeTempDirs();
});

guardEngineImages(() => engine);

describe('layer indexes of an engine image', () => {
  it('are stored by the time close() returns, and a reopen reads them all', async () => {
    const store = join(tempDir('strata-indexes-'), 'indexes');
    useIndexStore(store, { STRATA_INDEX_CACHE_MIN_ENTRIES: '0' });
    const options = {
      env: { DOCKER_HOST: engine.dockerHost, PATH: process.env.PATH },
      exportCache: new ExportCache(join(tempDir('strata-ec-'), 'exports')),
    };
    const ref = `docker://${engine.refs.basic}`;
    const first = await openSource(ref, options);
    const layers = first.model.indexes.length;
    await first.model.close();
    expect(readdirSync(store).filter((name) => name.endsWith('.idx'))).toHaveLength(layers);

    const again = await openSource(ref, options);
    try {
      const probe = new IndexStore(store, undefined, 0);
      for (const [i, layer] of again.model.resolved.layers.entries()) {
        const stored = await probe.get(
          layer.blob,
          layer.diffId,
          `engine export of ${again.model.resolved.id}`,
        );
        expect(stored?.entries.map((e) => e.path)).toEqual(
          again.model.indexes[i]!.entries.map((e) => e.path),
        );
      }
    } finally {
      await again.model.close();
    }
  });
});
