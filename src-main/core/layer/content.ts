// Reading a layer entry's content: by offset from a plain layer, or by decompressing up to it.
import { createHash } from 'node:crypto';
import type { LayerEntry } from './layer-index';
import type { LayerBlob } from './read-layer';

const CHUNK = 1024 * 1024;

/** sha256 of an entry's content; computed once and kept on the entry. */
export async function entryDigest(blob: LayerBlob, entry: LayerEntry): Promise<string> {
  if (entry.digest) return entry.digest;
  const hash = createHash('sha256');
  const start = blob.offset + entry.dataOffset;
  for (let done = 0; done < entry.size; done += CHUNK) {
    hash.update(await blob.source.read(start + done, Math.min(CHUNK, entry.size - done)));
  }
  entry.digest = `sha256:${hash.digest('hex')}`;
  return entry.digest;
}
