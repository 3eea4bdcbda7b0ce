// Writes pieces to a file in gathered writes (writev), as they are: no copy of them joined.
import type { FileHandle } from 'node:fs/promises';

/** Writes every piece at the handle's position, in order; a short write goes on with the rest. */
export async function writeGathered(
  handle: FileHandle,
  pieces: readonly Uint8Array[],
): Promise<void> {
  let rest = pieces.filter((piece) => piece.byteLength > 0);
  while (rest.length) {
    const { bytesWritten } = await handle.writev(rest);
    rest = after(rest, bytesWritten);
  }
}

/** The bytes of `pieces` after the first `skip`. */
function after(pieces: Uint8Array[], skip: number): Uint8Array[] {
  const rest: Uint8Array[] = [];
  for (const piece of pieces) {
    if (skip >= piece.byteLength) skip -= piece.byteLength;
    else {
      rest.push(skip > 0 ? piece.subarray(skip) : piece);
      skip = 0;
    }
  }
  return rest;
}
