// Walks a tar's headers with positioned reads, skipping file bodies entirely.
import type { ByteSource } from '../io/byte-source';
import { BLOCK } from './header';
import { TarEntryDecoder, type TarEntry } from './entry-decoder';

export type { TarEntry } from './entry-decoder';

export interface WalkOptions {
  /** Where the tar starts within the source (a layer inside an outer archive). */
  start?: number;
  /** Where it ends; defaults to the end of the source. */
  end?: number;
  /** Names the tar in errors ("img.tar: layer 3"). */
  label?: string;
}

export async function* walkTar(
  source: ByteSource,
  options: WalkOptions = {},
): AsyncGenerator<TarEntry> {
  const start = options.start ?? 0;
  const end = options.end ?? source.size;
  const decoder = new TarEntryDecoder(options.label ?? source.name, start);
  let pos = start;
  while (pos + BLOCK <= end) {
    const decoded = decoder.header(await source.read(pos, BLOCK), pos, end);
    if (decoded.kind === 'end') return;
    if (decoded.kind === 'meta')
      decoder.meta(Buffer.from(await source.read(pos + BLOCK, decoded.size)), pos);
    else yield decoded.entry;
    pos = decoded.next;
  }
  if (pos < end) decoder.fail(pos, 'truncated: the archive ends inside a header');
}
