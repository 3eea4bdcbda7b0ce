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

/**
 * The contents of several entries of one layer (small files): by offset from a plain layer, or
 * in one decompressing pass over a compressed one.
 */
export async function* readEntries(
  layer: StoredLayer,
  entries: LayerEntry[],
): AsyncGenerator<[LayerEntry, Buffer]> {
  if (entries.length === 0) return;
  if (layer.compression === 'none') {
    for (const entry of entries) {
      yield [
        entry,
        entry.size
          ? await layer.blob.source.read(layer.blob.offset + entry.dataOffset, entry.size)
          : Buffer.alloc(0),
      ];
    }
    return;
  }
  const wanted = [...entries].sort((a, b) => a.dataOffset - b.dataOffset);
  const upstream = layer.blob.source
    .stream(layer.blob.offset, layer.blob.offset + layer.blob.length)
    .pipe(decompressor(layer.compression));
  let at = 0;
  let next = 0;
  let pieces: Buffer[] = [];
  try {
    for await (const chunk of upstream as AsyncIterable<Buffer>) {
      let offset = 0;
      while (next < wanted.length && offset < chunk.length) {
        const entry = wanted[next]!;
        const start = entry.dataOffset;
        const end = start + entry.size;
        if (at + chunk.length <= start) break;
        const from = Math.max(start - at, offset);
        const to = Math.min(end - at, chunk.length);
        if (to > from) pieces.push(Buffer.from(chunk.subarray(from, to)));
        if (at + to >= end) {
          yield [entry, Buffer.concat(pieces)];
          pieces = [];
          next++;
          offset = to;
        } else break;
      }
      at += chunk.length;
      if (next >= wanted.length) return;
    }
  } finally {
    upstream.destroy();
  }
}
