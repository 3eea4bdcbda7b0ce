// The path of a tar header's own name, read as bytes, for the names nearly every layer holds:
// ASCII, no part `.`, `..` or empty, no whiteout. Such a name's bytes are its path's (`./a/b/` is
// /a/b, as entry-path.ts's simplePath makes it), so it is interned without a string
// (docs/interned-paths.md); any other name is decoded and normalised as a string.

/** The longest path a header holds: its ustar prefix, a slash and its name. */
export const PLAIN_PATH_BYTES = 155 + 1 + 100;

const SLASH = 0x2f;
const DOT = 0x2e;

/**
 * Writes the path of the name in the header block at `at` into `out` (PLAIN_PATH_BYTES long),
 * without its leading slash, and returns its length: -1 where the name is not plain or is the
 * root. `posix`: the block is POSIX ustar, whose prefix field holds a long name's start.
 */
export function plainPath(block: Buffer, at: number, posix: boolean, out: Buffer): number {
  let length = 0;
  if (posix && block[at + 345] !== 0) {
    length = copyText(block, at + 345, 155, out, 0);
    out[length++] = SLASH;
  }
  length = copyText(block, at, 100, out, length);
  let from = 0;
  let to = length;
  if (out[0] === DOT && out[1] === SLASH) from = 2;
  else if (out[0] === SLASH) from = 1;
  if (to > from && out[to - 1] === SLASH) to--;
  if (to <= from) return -1;
  let part = from;
  for (let i = from; i <= to; i++) {
    const c = i < to ? out[i]! : SLASH;
    if (c >= 0x80) return -1;
    if (c !== SLASH) continue;
    const n = i - part;
    if (n === 0 || (out[part] === DOT && (n === 1 || (n === 2 && out[part + 1] === DOT))))
      return -1;
    // `.wh.`: a whiteout, an opaque marker or AUFS metadata (entry-path.ts's classifyWhiteout).
    if (n >= 4 && out[part] === DOT && out[part + 1] === 0x77 && out[part + 2] === 0x68) {
      if (out[part + 3] === DOT) return -1;
    }
    part = i + 1;
  }
  if (from) out.copyWithin(0, from, to);
  return to - from;
}

/** Copies a NUL-terminated field's bytes to `out` at `into`; where they end there. */
function copyText(block: Buffer, start: number, length: number, out: Buffer, into: number): number {
  for (let i = start; i < start + length; i++) {
    const c = block[i]!;
    if (c === 0) break;
    out[into++] = c;
  }
  return into;
}
