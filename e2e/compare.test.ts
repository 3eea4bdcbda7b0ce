// Compare against the engine-built pair: v2 is v1's Dockerfile with known changes (see
// fixtures/images/compare.ts). `strata diff --json` must list exactly those, with the shared base
// counted; the same image read two ways (two archive forms, an archive and the engine) differs
// in nothing.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DiffResult } from '../src-main/api/compare';
import type { InspectResult } from '../src-main/api/model';
import { diffImages } from '../src-main/core/compare/diff-images';
import { loadImage } from '../src-main/core/image/load-image';
import { LayerIndexCache } from '../src-main/core/layer/index-cache';
import { StrataService } from '../src-main/core/service';
import { ExportCache } from '../src-main/core/source/export-cache';
import { fixturePaths } from './fixtures';
import { COMPARE_EXPECTED } from './fixtures/images/compare';
import { startFixtureEngine, type FixtureEngine } from './fixtures/live-engine';
import { guardEngineImages } from './engine/image-guard-vitest';
import { strataJson } from './fixtures/strata-reader';

const files = () => ({
  v1: fixturePaths().fixtures['compare-v1'],
  v2: fixturePaths().fixtures['compare-v2'],
});
const changes = (diff: DiffResult) =>
  diff.files.map((f) => ({ path: f.path, change: f.change, aspects: f.aspects ?? [] }));

describe('strata diff of compare v1 and v2', () => {
  let diff: DiffResult;
  let v1: InspectResult;
  let v2: InspectResult;

  beforeAll(async () => {
    const { v1: a, v2: b } = files();
    [diff, v1, v2] = await Promise.all([
      strataJson<DiffResult>(['diff', a.archive, b.archive]),
      strataJson<InspectResult>(['inspect', a.archive]),
      strataJson<InspectResult>(['inspect', b.archive]),
    ]);
  });

  it('lists exactly the changes made in v2, each with what changed', () => {
    expect(changes(diff)).toEqual(COMPARE_EXPECTED.files);
    expect(diff.summary).toEqual({ added: 1, removed: 1, modified: 2 });
    const start = diff.files.find((f) => f.path === '/app/bin/start.sh')!;
    expect([start.a!.mode, start.b!.mode]).toEqual([0o644, 0o755]);
    expect(start.a!.size).toBe(start.b!.size);
    const settings = diff.files.find((f) => f.path === '/app/config/settings.conf')!;
    expect([settings.a!.size, settings.b!.size]).toEqual([
      COMPARE_EXPECTED.settings.a.length,
      COMPARE_EXPECTED.settings.b.length,
    ]);
    expect(diff.files.find((f) => f.path === '/app/CHANGELOG.md')).toMatchObject({ a: null });
    expect(diff.files.find((f) => f.path === '/app/legacy.txt')).toMatchObject({ b: null });
  });

  it('counts the shared base and aligns the divergent steps', () => {
    expect(diff.sharedLayers).toBe(COMPARE_EXPECTED.sharedLayers);
    expect(v1.layers).toHaveLength(COMPARE_EXPECTED.layers.a);
    expect(v2.layers).toHaveLength(COMPARE_EXPECTED.layers.b);
    // The shared layers are the very same (diff IDs), the next ones are not.
    const shared = COMPARE_EXPECTED.sharedLayers;
    expect(v2.layers.slice(0, shared).map((l) => l.diffId)).toEqual(
      v1.layers.slice(0, shared).map((l) => l.diffId),
    );
    expect(v2.layers[shared]!.diffId).not.toBe(v1.layers[shared]!.diffId);
    expect(diff.layers.map((l) => [l.shared, l.a?.index ?? null, l.b?.index ?? null])).toEqual([
      [true, 0, 0],
      [true, 1, 1],
      [true, 2, 2],
      [false, 3, 3],
      [false, 4, 4],
      [false, null, 5],
    ]);
    expect(diff.layers[5]!.b!.command).toContain('rm /app/legacy.txt');
    const size = (i: InspectResult) => i.layers.reduce((sum, l) => sum + l.size, 0);
    expect(diff.sizeDelta).toBe(size(v2) - size(v1));
  });

  it('diffs the config: only the ENV that changed', () => {
    expect(diff.config).toEqual(COMPARE_EXPECTED.config);
  });

  it('in-process, swapped: added and removed trade places, shared layers read once', async () => {
    const { v1: a, v2: b } = files();
    const cache = new LayerIndexCache();
    const [m2, m1] = [await loadImage(b.archive, { cache }), await loadImage(a.archive, { cache })];
    try {
      // v1's three shared layers came from the cache v2 filled: the same index objects.
      for (let i = 0; i < COMPARE_EXPECTED.sharedLayers; i++)
        expect(m1.indexes[i]).toBe(m2.indexes[i]);
      const swapped = await diffImages(m2, m1);
      expect(changes(swapped)).toEqual(
        COMPARE_EXPECTED.files.map((f) => ({
          ...f,
          change: f.change === 'added' ? 'removed' : f.change === 'removed' ? 'added' : f.change,
        })),
      );
      expect(swapped.config).toEqual([{ field: 'env.APP_MODE', a: 'beta', b: 'stable' }]);
      expect(swapped.sizeDelta).toBe(-diff.sizeDelta);
    } finally {
      await Promise.all([m1.close(), m2.close()]);
    }
  });

  it('finds no difference between two archive forms of one image', async () => {
    const { v2 } = files();
    const same = await strataJson<DiffResult>(['diff', v2.archive, v2.ociZstd]);
    expect(same.files).toEqual([]);
    expect(same.config).toEqual([]);
    expect(same.sizeDelta).toBe(0);
    expect(same.sharedLayers).toBe(COMPARE_EXPECTED.layers.b);
  });
});

describe('an archive against the engine image of the same image', () => {
  let engine: FixtureEngine;
  let service: StrataService;

  beforeAll(async () => {
    engine = await startFixtureEngine();
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: mkdtempSync(join(tmpdir(), 'strata-home-')),
      XDG_RUNTIME_DIR: join(tmpdir(), 'strata-no-runtime'),
      DOCKER_HOST: engine.dockerHost,
    };
    const exportCache = new ExportCache(join(mkdtempSync(join(tmpdir(), 'strata-ec-')), 'x'));
    service = new StrataService({ engines: { env, exportCache } });
  }, 240_000);

  afterAll(async () => {
    await service?.dispose();
    await engine?.release();
  });

  guardEngineImages(() => engine);

  it('shows no file differences, no config differences and every layer shared', async () => {
    const archive = await service.openSource(files().v2.archive);
    const live = await service.openSource(`docker://${engine.refs['compare-v2']}`);
    const summary = await service.compare(archive.handle, live.handle);
    expect(summary.summary).toEqual({ added: 0, removed: 0, modified: 0 });
    expect(summary.config).toEqual([]);
    expect(summary.sizeDelta).toBe(0);
    expect(summary.sharedLayers).toBe(COMPARE_EXPECTED.layers.b);
    expect(service.openCompareView(summary.compareId, 'changes', 'name').total).toBe(0);

    // And the engine's v1 against the v2 archive: the very changes of the fixture.
    const liveV1 = await service.openSource(`docker://${engine.refs['compare-v1']}`);
    const across = await service.compare(liveV1.handle, archive.handle);
    expect(across.summary).toEqual({ added: 1, removed: 1, modified: 2 });
    expect(across.sharedLayers).toBe(COMPARE_EXPECTED.sharedLayers);
    expect(across.config).toEqual(COMPARE_EXPECTED.config);
  });
});
