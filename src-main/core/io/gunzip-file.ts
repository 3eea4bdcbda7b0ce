// Decompresses a gzip region of a file on the calling thread through two buffers kept for the
// whole region. For a worker, where blocking costs nothing: streams hand out a fresh buffer for
// every chunk read and every chunk inflated, and on a VM each new 4 KiB page costs a fault
// (about half the CPU time of inflating a layer of a gigabyte image).
import { readSync } from 'node:fs';
import * as zlib from 'node:zlib';

/** node:zlib's native handle, as its own synchronous path drives it (Node 10 to 24 at least). */
interface NativeZlib {
  writeSync(
    flush: number,
    input: Buffer,
    inOffset: number,
    inLength: number,
    output: Buffer,
    outOffset: number,
    outLength: number,
  ): void;
  onerror: (message: string, errno: number) => void;
}

interface Inflater {
  handle: NativeZlib;
  /** After each write: [output space left, input left]. */
  state: Uint32Array;
  close(): void;
}

function inflater(): Inflater | null {
  const gunzip = zlib.createGunzip();
  const inner = gunzip as unknown as { _handle?: NativeZlib; _writeState?: unknown };
  const handle = inner._handle;
  const state = inner._writeState;
  if (typeof handle?.writeSync !== 'function' || !(state instanceof Uint32Array)) {
    gunzip.close();
    return null;
  }
  return { handle, state, close: () => gunzip.close() };
}

/** False when this runtime's node:zlib lacks the handle this reader drives (then use a stream). */
export function canGunzipInPlace(): boolean {
  if (inPlace === undefined) {
    const probe = inflater();
    probe?.close();
    inPlace = probe !== null;
  }
  return inPlace;
}

let inPlace: boolean | undefined;

const INPUT_BYTES = 1024 * 1024;
const OUTPUT_BYTES = 256 * 1024;

/**
 * Reads bytes [start, end) of the open file `fd` and inflates them (multi-member gzip), calling
 * `stored` with each piece read and `output` with each piece inflated. Both pieces are views of
 * buffers written again after the call returns: copy what must outlive it. Throws zlib's message
 * for damaged or truncated data, or what a callback throws.
 */
export function gunzipFileRegion(
  fd: number,
  start: number,
  end: number,
  stored: (piece: Buffer) => void,
  output: (piece: Buffer) => void,
): void {
  const zlibInflater = inflater();
  if (!zlibInflater) throw new Error('node:zlib has no synchronous handle here');
  const { handle, state } = zlibInflater;
  let failure: Error | null = null;
  handle.onerror = (message) => {
    failure ??= new Error(message);
  };
  const input = Buffer.allocUnsafeSlow(INPUT_BYTES);
  const out = Buffer.allocUnsafeSlow(OUTPUT_BYTES);
  try {
    let position = start;
    // At least one write, so that an empty region fails as a truncated stream.
    do {
      const want = Math.min(INPUT_BYTES, end - position);
      const read = want > 0 ? readSync(fd, input, 0, want, position) : 0;
      if (want > 0 && read === 0)
        throw new Error('the file ended early (it changed while being read?)');
      position += read;
      if (read > 0) stored(input.subarray(0, read));
      const flush = position >= end ? zlib.constants.Z_FINISH : zlib.constants.Z_NO_FLUSH;
      let offset = 0;
      let left = read;
      for (;;) {
        handle.writeSync(flush, input, offset, left, out, 0, OUTPUT_BYTES);
        if (failure) throw failure;
        const spaceLeft = state[0]!;
        const inputLeft = state[1]!;
        offset += left - inputLeft;
        left = inputLeft;
        if (spaceLeft < OUTPUT_BYTES) output(out.subarray(0, OUTPUT_BYTES - spaceLeft));
        // Output space left over means zlib took all it could from this input.
        if (spaceLeft > 0) break;
      }
    } while (position < end);
  } finally {
    zlibInflater.close();
  }
}
