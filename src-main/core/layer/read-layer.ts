// Reads one layer blob into a LayerIndex: plain tars by their headers alone, compressed ones
// streamed once (on a worker thread where there is one), hashing file contents on the way since
// they cannot be read again by offset.
import { createHash } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ByteSource } from '../io/byte-source';
import { chunksOf } from '../io/stream-chunks';
import { compressionOf, decompressor, OutputLimitError, type Compression } from '../io/decompress';
import { canGunzipInPlace, gunzipFileRegion } from '../io/gunzip-file';
import { StrataError } from '../errors';
import { blobMismatch, markUnverified, StreamDigest } from '../integrity/digests';
import { LIMITS, overLimit } from '../limits';
import { walkTarBatches } from '../tar/walk';
import { nextTurn, TURN_MS } from '../io/next-turn';
import type { TarStreamParser } from '../tar/stream-parser';
import { LayerIndexBuilder } from './index-builder';
import { streamedLayerParser } from './streamed-layer';
import type { LayerIndex } from './layer-index';
import { readLayerOnWorker, type WorkerReadOptions } from './layer-workers';

/** Where a layer's bytes lie: a region of an archive. */
export interface LayerBlob {
  source: ByteSource;
  offset: number;
  length: number;
  /** The digest the manifest names the stored blob by, checked when the blob is streamed anyway. */
  digest?: string | null;
}

export async function detectCompression(blob: LayerBlob): Promise<Compression> {
  return compressionOf(await blob.source.read(blob.offset, Math.min(4, blob.length)));
}

/** A layer's index, read on a worker thread when it is compressed and large enough, else here. */
export async function readLayer(
  blob: LayerBlob,
  diffId: string,
  label: string,
  workers?: WorkerReadOptions,
): Promise<LayerIndex> {
  const compression = await detectCompression(blob);
  if (compression !== 'none') {
    const index = await readLayerOnWorker(blob, compression, diffId, label, workers);
    if (index) return index;
  }
  return indexLayer(blob, compression, diffId, label);
}

/**
 * The index of a layer read on this thread. `fd`, the blob's file open on this thread, lets a
 * gzip layer be inflated in place, blocking the thread (on a worker: see gunzip-file.ts).
 */
export async function indexLayer(
  blob: LayerBlob,
  compression: Compression,
  diffId: string,
  label: string,
  fd?: number,
): Promise<LayerIndex> {
  const builder = new LayerIndexBuilder(diffId, compression, label);
  const intact = await readLayerInto(builder, blob, compression, label, fd);
  return intact ? builder.finish() : markUnverified(builder.finish());
}

/** Gives `builder` every entry of the layer; false when a digest did not match (noted). */
export async function readLayerInto(
  builder: LayerIndexBuilder,
  blob: LayerBlob,
  compression: Compression,
  label: string,
  fd?: number,
): Promise<boolean> {
  if (compression === 'none') {
    const end = blob.offset + blob.length;
    // The windows are read synchronously: the service answers requests (and sends the open's
    // progress) in the turns given between them.
    let turn = performance.now();
    const plain = builder.plainEntries(blob.offset) ?? undefined;
    const walk = walkTarBatches(blob.source, { start: blob.offset, end, label, plain });
    for await (const batch of walk) {
      for (const entry of batch) builder.add(entry, blob.offset);
      if (performance.now() - turn > TURN_MS) {
        await nextTurn();
        turn = performance.now();
      }
    }
    return true;
  }
  const reader = new CompressedLayerReader(blob, builder, label);
  try {
    if (fd !== undefined && compression === 'gzip' && canGunzipInPlace()) {
      const end = blob.offset + blob.length;
      gunzipFileRegion(fd, blob.offset, end, reader.stored, reader.output);
    } else {
      await pipeline(
        blob.source.stream(blob.offset, blob.offset + blob.length),
        new Transform({
          transform(chunk: Buffer, _encoding, callback) {
            reader.stored(chunk);
            callback(null, chunk);
          },
        }),
        decompressor(compression, reader.cap),
        // pipeline hands the decompressor itself to this last stage.
        async (layer: AsyncIterable<Buffer>) => {
          for await (const chunk of chunksOf(layer as Readable)) reader.output(chunk);
        },
      );
    }
  } catch (err) {
    throw reader.failure(err, compression);
  }
  return reader.finish();
}

/**
 * What a compressed layer's bytes go through, from either reader: the stored blob's digest, the
 * bound on what it expands to, the diff ID's digest, and the streamed layer's tar parser.
 */
class CompressedLayerReader {
  /** A bomb stops at a bound set by the compressed size. */
  readonly cap: number;
  private readonly parser: TarStreamParser;
  private readonly whole = createHash('sha256');
  private readonly storedDigest: StreamDigest | null;
  private total = 0;

  constructor(
    blob: LayerBlob,
    private readonly builder: LayerIndexBuilder,
    private readonly label: string,
  ) {
    this.cap = decompressionCap(blob.length);
    // The stored bytes too, before decompression, when the manifest names the blob by its digest.
    this.storedDigest = blob.digest ? new StreamDigest(blob.digest) : null;
    this.parser = streamedLayerParser(builder, label);
  }

  readonly stored = (piece: Buffer): void => {
    this.storedDigest?.update(piece);
  };

  readonly output = (piece: Buffer): void => {
    this.total += piece.length;
    if (this.total > this.cap) throw new OutputLimitError(this.cap);
    // The whole stream is hashed on the way, since it is read anyway, to check the diff ID.
    this.whole.update(piece);
    this.parser.push(piece);
  };

  /** After the last byte: false when a digest did not match (noted on the index). */
  finish(): boolean {
    this.parser.end();
    let intact = true;
    const digest = `sha256:${this.whole.digest('hex')}`;
    const { diffId } = this.builder;
    if (diffId.startsWith('sha256:') && digest !== diffId) {
      this.builder.note(
        `its content does not match its diff ID ${diffId} (the content hashes to ${digest})`,
      );
      intact = false;
    }
    const actual = this.storedDigest?.mismatch();
    if (this.storedDigest && actual) {
      this.builder.note(
        blobMismatch('its stored blob', this.storedDigest.expected, actual, 'the manifest'),
      );
      intact = false;
    }
    return intact;
  }

  /** The one error to throw for a read that failed. */
  failure(err: unknown, compression: Compression): StrataError {
    if (err instanceof StrataError) return err;
    const { cap, label } = this;
    if (err instanceof OutputLimitError) {
      return new StrataError(
        'limit',
        `${label}: the layer decompresses to more than ${cap} bytes, ${overLimitFor(cap)}`,
      );
    }
    return new StrataError(
      'bad-archive',
      `${label}: the ${compression} layer is damaged (${(err as Error).message})`,
    );
  }
}

/** How far a compressed stream of `compressedBytes` may expand before it is refused as a bomb. */
export function decompressionCap(compressedBytes: number): number {
  return Math.min(
    LIMITS.decompressedBytes,
    Math.max(16 * 1024 * 1024, compressedBytes * LIMITS.decompressionRatio),
  );
}

/** Which limit a cap came from, for the message. */
export function overLimitFor(cap: number): string {
  return cap === LIMITS.decompressedBytes
    ? overLimit('decompressedBytes')
    : overLimit('decompressionRatio');
}
