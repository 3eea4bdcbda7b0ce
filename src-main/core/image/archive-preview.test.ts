// The preview of an archive whose config has no history still lists every layer, each with its
// stored bytes, as inspect lists them (without a command).
import { describe, expect, it } from 'vitest';
import { openArchive } from '../archive/open-archive';
import { resolveImage } from '../archive/resolve-image';
import { packTar } from '../tar/pack-tar';
import { withLayers } from '../testing/malformed-cases';
import { archivePreview } from './archive-preview';

describe('archivePreview', () => {
  it('lists the layers the history does not reach, without a command', async () => {
    const path = await withLayers([
      await packTar([{ name: 'a', body: 'x'.repeat(3000) }]),
      await packTar([{ name: 'b', body: 'y' }]),
    ]);
    const archive = await openArchive(path);
    try {
      const resolved = await resolveImage(archive);
      const preview = archivePreview('layers.tar', resolved);
      const stored = resolved.layers.map((layer) => layer.blob.length);
      expect(stored[0]).toBeGreaterThan(3000);
      expect(preview.steps).toEqual([
        { command: '', created: null, size: stored[0], layerIndex: 0 },
        { command: '', created: null, size: stored[1], layerIndex: 1 },
      ]);
      expect(preview.size).toBe(stored[0]! + stored[1]!);
      expect(preview.diffIds).toEqual(resolved.layers.map((layer) => layer.diffId));
    } finally {
      await archive.close();
    }
  });
});
