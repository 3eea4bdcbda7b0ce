// The tar parser for a layer whose bytes stream past once (a compressed blob, a layer inside an
// engine export being written): what later needs the content is done on the way, since it cannot
// be read again by offset. Each file's content is hashed, and the files the findings read are
// scanned (content-scan.ts).
import * as crypto from 'node:crypto';
import { createHash, type Hash } from 'node:crypto';
import { NOTHING_FOUND, readsContent, SCAN_BYTES, scanContent } from '../analysis/content-scan';
import type { TarEntry } from '../tar/entry-decoder';
import { TarStreamParser } from '../tar/stream-parser';
import { indexedPath, type LayerIndexBuilder, type RawLayerEntry } from './index-builder';

/** node:crypto's one-call hash, where the runtime has it (Node 20.12+, 21.7+). */
const hashAtOnce = (crypto as { hash?: typeof crypto.hash }).hash;

const EMPTY_DIGEST = createHash('sha256').digest('binary');

interface Gathered {
  path: string;
  bytes: Buffer;
  filled: number;
}

/**
 * A parser that gives `add` each entry, files with their sha256 (as LayerEntry.sha256 holds it),
 * and gives `builder` the scans. The parser's entry objects are fresh for each entry: the digest
 * is set on them in place.
 */
export function streamedLayerParser(
  builder: LayerIndexBuilder,
  label: string,
  add: (entry: RawLayerEntry) => void = (entry) => builder.add(entry),
): TarStreamParser {
  let file: RawLayerEntry | null = null;
  let hash: Hash | null = null;
  let content: Gathered | null = null;
  builder.scanContents();
  /** Where a file's content is gathered when the findings read it; its earlier scan is dropped. */
  const gather = (entry: TarEntry): Gathered | null => {
    const path = indexedPath(entry.name);
    if (path === null) return null;
    builder.scanned(path, NOTHING_FOUND);
    if (entry.size === 0 || entry.size > SCAN_BYTES || !readsContent(path, entry.size)) return null;
    return { path, bytes: Buffer.allocUnsafe(entry.size), filled: 0 };
  };
  return new TarStreamParser(
    {
      entry: (entry) => {
        const isFile = entry.typeflag === '0' || entry.typeflag === '7';
        file = isFile && entry.size > 0 ? entry : null;
        hash = null;
        content = isFile || entry.typeflag === 'S' ? gather(entry) : null;
        if (isFile && entry.size === 0) (entry as RawLayerEntry).sha256 = EMPTY_DIGEST;
        if (!file) add(entry);
      },
      data: (entry, piece) => {
        if (content) content.filled += piece.copy(content.bytes, content.filled);
        if (!file) return;
        // Most files come in one piece: hashed in one call, without a hash object each.
        if (!hash && piece.length === entry.size && hashAtOnce) {
          file.sha256 = hashAtOnce('sha256', piece, 'binary');
        } else {
          (hash ??= createHash('sha256')).update(piece);
        }
      },
      entryEnd: () => {
        if (content) builder.scanned(content.path, scanContent(content.path, content.bytes));
        if (!file) return;
        if (hash) file.sha256 = hash.digest('binary');
        add(file);
      },
    },
    label,
  );
}
