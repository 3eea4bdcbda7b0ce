// An archive being opened shows its image before any layer is read: the service says what the
// manifest and config give (the build steps, each with the layer it made and that layer's stored
// bytes) first, then each layer once it is read and stacked, base first. Checked on the engine's
// own archives in every form against the inspect result of the finished open.
import { describe, expect, it } from 'vitest';
import type { OpenLayerEvent, OpenPreviewEvent, StrataEvent } from '../src-main/api/contract';
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
          const opened = await service.open(path, 'the-image.tar');
          const { inspect } = opened;
          const model = service.model(opened.handle);
          const ours = events.filter((e) => e.type !== 'progress' && 'source' in e);
          expect(ours.every((e) => 'source' in e && e.source === 'the-image.tar')).toBe(true);
          const [first, ...rest] = ours as (OpenPreviewEvent | OpenLayerEvent)[];
          expect(first?.type).toBe('open-preview');
          const { preview } = first as OpenPreviewEvent;
          expect(preview.ref).toBe('the-image.tar');
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
              source: 'the-image.tar',
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

  it('that failed unasked is told to the pages, and listed for a page that comes later', () => {
    const service = new StrataService();
    const events: StrataEvent[] = [];
    service.on('event', (event) => events.push(event));
    service.unaskedOpenFailed('bad.tar', new Error('bad.tar: not an image archive'));
    const failed = { code: 'internal', message: 'bad.tar: not an image archive' };
    expect(events).toEqual([{ type: 'open-failed', source: 'bad.tar', ...failed }]);
    expect(service.openings()).toEqual([
      { source: 'bad.tar', progress: null, preview: null, indexed: {}, failed },
    ]);
  });
});
