// Reads one layer blob into a LayerIndex: plain tars by their headers alone, compressed ones
// streamed once, hashing file contents on the way since they cannot be read again by offset.
import { createHash, type Hash } from 'node:crypto';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ByteSource } from '../io/byte-source';
import { chunksOf } from '../io/stream-chunks';
import { compressionOf, decompressor, OutputLimitError, type Compression } from '../io/decompress';
import { StrataError } from '../errors';
import { blobMismatch, markUnverified, StreamDigest } from '../integrity/digests';
import { LIMITS, overLimit } from '../limits';
import { walkTarBatches } from '../tar/walk';
import { TarStreamParser } from '../tar/stream-parser';
import { LayerIndexBuilder, type RawLayerEntry } from './index-builder';
import type { LayerIndex } from './layer-index';

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

export async function readLayer(
  blob: LayerBlob,
  diffId: string,
  label: string,
): Promise<LayerIndex> {
  const compression = await detectCompression(blob);
  const builder = new LayerIndexBuilder(diffId, compression, label);
  if (compression === 'none') {
    const end = blob.offset + blob.length;
    for await (const batch of walkTarBatches(blob.source, { start: blob.offset, end, label })) {
      for (const entry of batch) builder.add(entry, blob.offset);
    }
  } else {
    const intact = await streamCompressedLayer(blob, compression, builder, label);
    if (!intact) return markUnverified(builder.finish());
  }
  return builder.finish();
}

async function streamCompressedLayer(
  blob: LayerBlob,
  compression: Exclude<Compression, 'none'>,
  builder: LayerIndexBuilder,
  label: string,
): Promise<boolean> {
  let hash: Hash | null = null;
  const parser = new TarStreamParser(
    {
      // The parser's entry objects are fresh for each entry: the digest is set on them in place.
      entry: (entry) => {
        const isFile = entry.typeflag === '0' || entry.typeflag === '7';
        hash = isFile && entry.size > 0 ? createHash('sha256') : null;
        if (isFile && entry.size === 0) (entry as RawLayerEntry).digest = EMPTY_DIGEST;
        if (!hash) builder.add(entry);
      },
      data: (_entry, chunk) => hash?.update(chunk),
      entryEnd: (entry) => {
        if (!hash) return;
        (entry as RawLayerEntry).digest = `sha256:${hash.digest('hex')}`;
        builder.add(entry);
      },
    },
    label,
  );
  // A bomb stops at a bound set by the compressed size; the whole stream is hashed on the way,
  // since it is read anyway, to check it against the diff ID.
  const cap = decompressionCap(blob.length);
  const whole = createHash('sha256');
  let total = 0;
  // The stored bytes too, before decompression, when the manifest names the blob by its digest.
  const stored = blob.digest ? new StreamDigest(blob.digest) : null;
  try {
    await pipeline(
      blob.source.stream(blob.offset, blob.offset + blob.length),
      stored?.through() ?? new PassThrough(),
      decompressor(compression, cap),
      // pipeline hands the decompressor itself to this last stage.
      async (layer: AsyncIterable<Buffer>) => {
        for await (const chunk of chunksOf(layer as Readable)) {
          total += chunk.length;
          if (total > cap) {
            throw new StrataError(
              'limit',
              `${label}: the layer decompresses to more than ${cap} bytes, ${overLimitFor(cap)}`,
            );
          }
          whole.update(chunk);
          parser.push(chunk);
        }
        parser.end();
      },
    );
    let intact = true;
    const digest = `sha256:${whole.digest('hex')}`;
    if (builder.diffId.startsWith('sha256:') && digest !== builder.diffId) {
      builder.note(
        `its content does not match its diff ID ${builder.diffId} (the content hashes to ${digest})`,
      );
      intact = false;
    }
    const actual = stored?.mismatch();
    if (stored && actual) {
      builder.note(blobMismatch('its stored blob', stored.expected, actual, 'the manifest'));
      intact = false;
    }
    return intact;
  } catch (err) {
    if (err instanceof StrataError) throw err;
    if (err instanceof OutputLimitError) {
      throw new StrataError(
        'limit',
        `${label}: the layer decompresses to more than ${cap} bytes, ${overLimitFor(cap)}`,
      );
    }
    throw new StrataError(
      'bad-archive',
      `${label}: the ${compression} layer is damaged (${(err as Error).message})`,
    );
  }
}

const EMPTY_DIGEST = `sha256:${createHash('sha256').digest('hex')}`;

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
