// Reading a layer entry's content: by offset from a plain layer, or by decompressing a
// compressed layer up to the entry (compressed streams cannot be entered in the middle).
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { StrataError } from '../errors';
import { decompressor, type Compression } from '../io/decompress';
import type { LayerEntry } from './layer-index';
import type { LayerBlob } from './read-layer';

/** What reading a file's bytes needs of its entry (its path names it in errors). */
export type StoredFile = Pick<LayerEntry, 'path' | 'size' | 'dataOffset' | 'sha256'>;

/** A layer's bytes and how they are stored. */
export interface StoredLayer {
  blob: LayerBlob;
  compression: Compression;
}

/** The entry's bytes [from, to) (default: all of them). */
export function openEntryContent(
  layer: StoredLayer,
  entry: StoredFile,
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

/** A LayerWindow's read-ahead: a file larger than this is read on its own, into new memory. */
export const LAYER_WINDOW_BYTES = 256 * 1024;

/**
 * A plain layer's file bytes through a read window of its own (its source must have readInto):
 * entries read in the order they lie in the layer cost one read per window, not one per entry.
 * What `bytes` returns is valid until the next call.
 */
export class LayerWindow {
  private window: Buffer | null = null;
  private start = 0;
  private length = 0;
  constructor(private readonly layer: StoredLayer) {}

  bytes(entry: StoredFile): Buffer {
    if (entry.size > LAYER_WINDOW_BYTES) {
      const bytes = Buffer.allocUnsafe(entry.size);
      this.layer.blob.source.readInto!(
        bytes,
        this.layer.blob.offset + entry.dataOffset,
        entry.size,
      );
      return bytes;
    }
    const from = this.locate(entry);
    return this.buffer.subarray(from, from + entry.size);
  }

  /** Where a file of at most LAYER_WINDOW_BYTES starts in `buffer`, read into it if need be. */
  locate(entry: StoredFile): number {
    const { source, offset, length: blobLength } = this.layer.blob;
    const at = offset + entry.dataOffset;
    if (this.window === null || at < this.start || at + entry.size > this.start + this.length) {
      this.window ??= Buffer.allocUnsafe(LAYER_WINDOW_BYTES);
      const length = Math.max(entry.size, Math.min(LAYER_WINDOW_BYTES, offset + blobLength - at));
      source.readInto!(this.window, at, length);
      this.start = at;
      this.length = length;
    }
    return at - this.start;
  }

  /** The window's bytes, as the last `locate` left them. */
  get buffer(): Buffer {
    return this.window!;
  }
}

/**
 * Whether two same-size files of plain layers (sources with readInto) hold the same bytes, read
 * a piece at a time into two buffers the caller keeps: no hashing, and it stops at the first
 * piece that differs.
 */
export function sameBytesByPieces(
  a: { layer: StoredLayer; entry: StoredFile },
  b: { layer: StoredLayer; entry: StoredFile },
  buffers: [Buffer, Buffer],
): boolean {
  const size = a.entry.size;
  const piece = Math.min(buffers[0].length, buffers[1].length);
  const atA = a.layer.blob.offset + a.entry.dataOffset;
  const atB = b.layer.blob.offset + b.entry.dataOffset;
  for (let done = 0; done < size; done += piece) {
    const length = Math.min(piece, size - done);
    a.layer.blob.source.readInto!(buffers[0], atA + done, length);
    b.layer.blob.source.readInto!(buffers[1], atB + done, length);
    if (!buffers[0].subarray(0, length).equals(buffers[1].subarray(0, length))) return false;
  }
  return true;
}

/** sha256 of an entry's content as LayerEntry.sha256 holds it; computed once and kept there. */
export async function entryDigest(layer: StoredLayer, entry: StoredFile): Promise<string> {
  if (entry.sha256) return entry.sha256;
  const hash = createHash('sha256');
  for await (const chunk of openEntryContent(layer, entry)) hash.update(chunk as Buffer);
  entry.sha256 = hash.digest('binary');
  return entry.sha256;
}

/**
 * A reader of a plain layer's files (through one LayerWindow: read them by offset), each file's
 * bytes valid until the next is read; null for a layer that must be streamed (readEntries).
 */
export function plainEntryReader(layer: StoredLayer): ((entry: StoredFile) => Buffer) | null {
  if (layer.compression !== 'none' || !layer.blob.source.readInto) return null;
  const window = new LayerWindow(layer);
  return (entry) => (entry.size ? window.bytes(entry) : Buffer.alloc(0));
}

export const byOffset = (a: StoredFile, b: StoredFile): number => a.dataOffset - b.dataOffset;

/**
 * The contents of several entries of one layer (small files), in the order they lie in it: by
 * offset from a plain layer, or in one decompressing pass over a compressed one. A plain layer's
 * bytes are valid until the next entry is read.
 */
export async function* readEntries(
  layer: StoredLayer,
  entries: LayerEntry[],
): AsyncGenerator<[LayerEntry, Buffer]> {
  if (entries.length === 0) return;
  const read = plainEntryReader(layer);
  if (read) {
    for (const entry of [...entries].sort(byOffset)) yield [entry, read(entry)];
    return;
  }
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
