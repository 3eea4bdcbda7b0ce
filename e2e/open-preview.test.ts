// An archive being opened shows its image before any layer is read: the service says what the
// manifest and config give (the build steps, each with the layer it made and that layer's stored
// bytes) first, then each layer once it is read and stacked, base first. Checked on the engine's
// own archives in every form against the inspect result of the finished open.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { OpenLayerEvent, OpenPreviewEvent, StrataEvent } from '../src-main/api/contract';
import { describeError } from '../src-main/core/errors';
import { StrataService } from '../src-main/core/service';
import { fixturePaths, type FixtureName } from './fixtures';

const FIXTURES: FixtureName[] = ['basic', 'edge', 'dive-figures'];
const FORMS = ['archive', 'ociGzip', 'ociZstd', 'archiveGz'] as const;

describe('an archive being opened', () => {
  for (const name of FIXTURES) {
    for (const form of FORMS) {
      it(`${name} (${form}): its steps come first, then each layer as it is stacked`, async () => {
        const path = fixturePaths().fixtures[name][form];
        const service = new StrataService({ viewsAhead: { minChanges: Infinity } });
        const events: StrataEvent[] = [];
        const seenInFlight: unknown[] = [];
        service.on('event', (event) => {
          events.push(event);
          // A page that asks in the middle of the open finds it as far as its events went.
          if (event.type === 'open-layer' && event.layerIndex === 0)
            seenInFlight.push(...service.openings());
        });
        try {
          const opened = await service.openUnasked(path);
          const { inspect } = opened;
          const model = service.model(opened.handle);
          const ours = events.filter((e) => e.type !== 'progress' && 'source' in e);
          const label = basename(path);
          expect(ours.every((e) => 'source' in e && e.source === label)).toBe(true);
          const [first, ...rest] = ours as (OpenPreviewEvent | OpenLayerEvent)[];
          expect(first?.type).toBe('open-preview');
          const { preview } = first as OpenPreviewEvent;
          expect(preview.ref).toBe(label);
          expect(preview.id).toBe(inspect.image.id);
          expect(preview.diffIds).toEqual(inspect.layers.map((layer) => layer.diffId));
          expect(preview.os).toBe(inspect.image.os);
          // The steps are the history, each with the layer inspect gives it.
          expect(preview.steps.map((s) => [s.command, s.layerIndex])).toEqual(
            inspect.history.map((h) => [h.command, h.layerIndex]),
          );
          const stored = model.resolved.layers.map((layer) => layer.blob.length);
          expect(preview.steps.map((s) => s.size)).toEqual(
            inspect.history.map((h) => (h.layerIndex === null ? 0 : stored[h.layerIndex])),
          );
          expect(preview.size).toBe(stored.reduce((a, b) => a + b, 0));
          expect(rest.map((e) => e.type)).toEqual(inspect.layers.map(() => 'open-layer'));
          expect(
            rest.map((e) => [(e as OpenLayerEvent).layerIndex, (e as OpenLayerEvent).size]),
          ).toEqual(inspect.layers.map((layer) => [layer.index, layer.size]));
          expect(rest.map((e) => (e as OpenLayerEvent).files)).toEqual(
            model.indexes.map((index) => index.entries.length),
          );
          const layer0 = rest[0] as OpenLayerEvent;
          expect(seenInFlight).toEqual([
            {
              source: label,
              progress: expect.objectContaining({ phase: 'indexing' }),
              preview,
              indexed: { 0: { files: layer0.files, size: layer0.size } },
            },
          ]);
          expect(service.openings()).toEqual([]);
        } finally {
          await service.dispose();
        }
      });
    }
  }

  it('unasked, is listed for the pages while it opens, and its end is told to them', async () => {
    const path = fixturePaths().fixtures.basic.archive;
    const label = basename(path);
    const service = new StrataService({ viewsAhead: { minChanges: Infinity } });
    const events: StrataEvent[] = [];
    const listed: string[][] = [];
    service.on('event', (event) => {
      events.push(event);
      if (event.type === 'open-layer') listed.push(service.openings().map((o) => o.source));
    });
    try {
      let previewed = 0;
      const image = await service.openUnasked(path, () => previewed++);
      expect(previewed).toBe(1);
      expect(listed).toEqual(listed.map(() => [label]));
      expect(listed.length).toBeGreaterThan(0);
      expect(events.at(-1)).toEqual({ type: 'opened', image });
      expect(service.openings()).toEqual([]);

      // An open a page asked for is that page's: another page is not shown it.
      listed.length = 0;
      await service.open(path, 'asked.tar');
      expect(listed).toEqual(listed.map(() => []));
      expect(listed.length).toBeGreaterThan(0);
    } finally {
      await service.dispose();
    }
  });

  it('unasked, that failed is told to the pages, and listed for a page that comes later', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'strata-unasked-'));
    const bad = join(dir, 'bad.tar');
    writeFileSync(bad, 'not a tar archive at all, and too short to be one');
    const service = new StrataService();
    const events: StrataEvent[] = [];
    service.on('event', (event) => events.push(event));
    try {
      const error = await service.openUnasked(bad).catch((err: unknown) => err);
      const failed = describeError(error);
      expect(failed.message).toContain('bad.tar');
      expect(events.filter((event) => event.type === 'open-failed')).toEqual([
        { type: 'open-failed', source: 'bad.tar', ...failed },
      ]);
      expect(service.openings()).toEqual([
        { source: 'bad.tar', progress: null, preview: null, indexed: {}, failed },
      ]);
    } finally {
      await service.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
