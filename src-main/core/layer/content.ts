// Reading a layer entry's content: by offset from a plain layer, or by decompressing a
// compressed layer up to the entry (compressed streams cannot be entered in the middle).
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { StrataError } from '../errors';
import { decompressor, type Compression } from '../io/decompress';
import type { LayerEntry } from './layer-index';
import type { LayerBlob } from './read-layer';

/** A layer's bytes and how they are stored. */
export interface StoredLayer {
  blob: LayerBlob;
  compression: Compression;
}

/** The entry's bytes [from, to) (default: all of them). */
export function openEntryContent(
  layer: StoredLayer,
  entry: LayerEntry,
  from = 0,
  to = entry.size,
): Readable {
  const { blob, compression } = layer;
  if (to <= from) return Readable.from([]);
  const start = entry.dataOffset + from;
  const end = entry.dataOffset + to;
  if (compression === 'none') return blob.source.stream(blob.offset + start, blob.offset + end);
  return Readable.from(
    (async function* () {
      const upstream = blob.source
        .stream(blob.offset, blob.offset + blob.length)
        .pipe(decompressor(compression));
      let at = 0;
      try {
        for await (const chunk of upstream as AsyncIterable<Buffer>) {
          const from = Math.max(start - at, 0);
          const to = Math.min(end - at, chunk.length);
          if (to > from) yield chunk.subarray(from, to);
          at += chunk.length;
          if (at >= end) return;
        }
        throw new StrataError(
          'bad-archive',
          `${blob.source.name}: the layer ends before ${entry.path} does`,
        );
      } finally {
        upstream.destroy();
      }
    })(),
  );
}

/** sha256 of an entry's content; computed once and kept on the entry. */
export async function entryDigest(layer: StoredLayer, entry: LayerEntry): Promise<string> {
  if (entry.digest) return entry.digest;
  const hash = createHash('sha256');
  for await (const chunk of openEntryContent(layer, entry)) hash.update(chunk as Buffer);
  entry.digest = `sha256:${hash.digest('hex')}`;
  return entry.digest;
}
