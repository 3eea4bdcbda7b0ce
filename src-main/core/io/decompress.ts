// Decompressing layer and archive streams: gzip (multi-member) with node:zlib; zstd with
// node:zlib where the runtime has it (Node 22.15+/23.8+), otherwise fzstd (pure JS).
import * as zlib from 'node:zlib';
import { Transform, type Duplex } from 'node:stream';
import { Decompress as FzstdDecompress } from 'fzstd';

export type Compression = 'none' | 'gzip' | 'zstd';

export function compressionOf(magic: Buffer): Compression {
  if (magic.length >= 2 && magic[0] === 0x1f && magic[1] === 0x8b) return 'gzip';
  if (magic.length >= 4 && magic.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
  return 'none';
}

type ZstdFactory = () => Duplex;
const nativeZstd = (zlib as unknown as { createZstdDecompress?: ZstdFactory }).createZstdDecompress;

/** Thrown when a stream expands past the bound it was given (a decompression bomb). */
export class OutputLimitError extends Error {
  constructor(readonly limit: number) {
    super(`the stream decompresses to more than ${limit} bytes`);
  }
}

function fzstdTransform(maxOutput: number): Transform {
  let decoder: FzstdDecompress;
  let total = 0;
  return new Transform({
    construct(callback) {
      // fzstd decompresses a whole pushed chunk at once: stop inside it, not after it.
      decoder = new FzstdDecompress((chunk) => {
        total += chunk.length;
        if (total > maxOutput) throw new OutputLimitError(maxOutput);
        this.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length));
      });
      callback();
    },
    transform(chunk: Buffer, _encoding, callback) {
      try {
        decoder.push(chunk);
        callback();
      } catch (err) {
        callback(err as Error);
      }
    },
    flush(callback) {
      try {
        decoder.push(new Uint8Array(0), true);
        callback();
      } catch (err) {
        callback(err as Error);
      }
    },
  });
}

/** A decompressing stream; `maxOutput` bounds what it may produce (node:zlib's are checked by the reader). */
export function decompressor(
  compression: Exclude<Compression, 'none'>,
  maxOutput = Infinity,
): Duplex {
  // 256 KiB output chunks instead of zlib's 16 KiB: a sixteenth of the stream and parser calls.
  if (compression === 'gzip') return zlib.createGunzip({ chunkSize: 256 * 1024 });
  return nativeZstd ? nativeZstd() : fzstdTransform(maxOutput);
}
