import { describe, expect, it, vi } from 'vitest';
import { packTar } from '../tar/pack-tar';
import { withLayers } from '../testing/malformed-cases';
import { loadImage } from '../image/load-image';
import type { StoredLayer } from './content';
import type { LayerEntry } from './layer-index';
import { FilePairs, sameContents } from './same-content';

const FILES = 3000;

/** A file as one layer stores it. */
interface StoredFile {
  layer: StoredLayer;
  entry: LayerEntry;
}

function pairsOf(list: [StoredFile, StoredFile][]): FilePairs {
  const pairs = new FilePairs();
  for (const [x, y] of list) pairs.add(x.layer, x.entry, y.layer, y.entry);
  return pairs;
}
const body = (i: number) => `file ${i}        `;
/** The body written again: files 7 and 1500 differ only in their last and first bytes. */
const bodyAgain = (i: number, differ: Set<number>): string => {
  if (!differ.has(i)) return body(i);
  if (i === 7) return `${body(i).slice(0, -1)}!`;
  if (i === 1500) return `F${body(i).slice(1)}`;
  return `file ${i} changed`;
};

describe('comparing the contents of files', () => {
  it('reads plain layers through windows, in order, and lets the event loop turn', async () => {
    // A layer writes 3000 small files; the next writes them all again, three with other bytes
    // (one in its last byte, one in its first).
    const differ = new Set([7, 1500, 2999]);
    const first = await packTar(
      Array.from({ length: FILES }, (_, i) => ({ name: `d/f${i}`, body: body(i) })),
    );
    const again = await packTar(
      Array.from({ length: FILES }, (_, i) => ({ name: `d/f${i}`, body: bodyAgain(i, differ) })),
    );
    const model = await loadImage(await withLayers([first, again]), { store: null });
    try {
      // Stacking compared them already: same attributes, so the contents decided.
      const changes = model.changeSets[1]!.changes;
      expect([...differ].map((i) => changes.get(`/d/f${i}`))).toEqual([
        'modified',
        'modified',
        'modified',
      ]);
      expect(changes.get('/d/f8')).toBe('unchanged');

      const stored = (layer: number, i: number): StoredFile => ({
        layer: model.layers[layer]!,
        entry: model.indexes[layer]!.entries.find((e) => e.path === `/d/f${i}`)!,
      });
      // Asked in reverse order: read in the order the files lie all the same.
      const pairs = pairsOf(
        Array.from({ length: FILES }, (_, k) => [
          stored(0, FILES - 1 - k),
          stored(1, FILES - 1 - k),
        ]),
      );
      const source = model.layers[0]!.blob.source;
      const readInto = vi.spyOn(source, 'readInto');
      const stream = vi.spyOn(source, 'stream');
      let turns = 0;
      const tick = setInterval(() => turns++, 0);
      const same = await sameContents(pairs);
      clearInterval(tick);
      expect(same.filter((s) => !s).length).toBe(3);
      expect(same[0]).toBe(false); // file 2999
      expect(same[1]).toBe(true);
      expect(stream).not.toHaveBeenCalled();
      // 3000 files of 1 KiB of tar each per layer: a few dozen windows, not a read per file.
      expect(readInto.mock.calls.length).toBeGreaterThan(0);
      expect(readInto.mock.calls.length).toBeLessThan(64);
      expect(turns).toBeGreaterThan(0);

      // Known digests decide without reading; different sizes are never the same.
      const a = stored(0, 1);
      const b = stored(1, 1);
      const digested = (file: StoredFile, sha256: string): StoredFile => ({
        ...file,
        entry: { ...file.entry, sha256 },
      });
      const bigger: StoredFile = { ...b, entry: { ...b.entry, size: b.entry.size + 1 } };
      readInto.mockClear();
      expect(
        await sameContents(
          pairsOf([
            [digested(a, '1'.repeat(32)), digested(b, '2'.repeat(32))],
            [digested(a, '1'.repeat(32)), digested(b, '1'.repeat(32))],
            [a, bigger],
          ]),
        ),
      ).toEqual([false, true, false]);
      expect(readInto).not.toHaveBeenCalled();
    } finally {
      await model.close();
    }
  });
});
