// Save As in the desktop app: the bytes of a file inside an image, written where the user chose.
// They go to a temporary name beside the target first, so a failed read never leaves half a
// file under the chosen name (nor truncates what was there).
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export async function writeStreamTo(stream: Readable, target: string): Promise<void> {
  const partial = `${target}.${process.pid}.strata-partial`;
  try {
    await pipeline(stream, createWriteStream(partial, { flags: 'wx' }));
    await rename(partial, target);
  } catch (err) {
    await rm(partial, { force: true });
    throw err;
  }
}
