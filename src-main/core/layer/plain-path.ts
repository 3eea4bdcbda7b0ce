// The path of a tar header's own name, read as bytes, for the names nearly every layer holds:
// ASCII, no part `.`, `..` or empty, no whiteout. Such a name's bytes are its path's (`./a/b/` is
// /a/b, as entry-path.ts's simplePath makes it), so it is interned without a string
// (docs/interned-paths.md); any other name is decoded and normalised as a string.

/** The longest path a header holds: its ustar prefix, a slash and its name. */
export const PLAIN_PATH_BYTES = 155 + 1 + 100;

const SLASH = 0x2f;
const DOT = 0x2e;
const W = 0x77;
const H = 0x68;

/** Where the last plain name read lies: `bytes[from..to)`, the path without its leading slash. */
export class PlainPath {
  bytes: Buffer = Buffer.alloc(0);
  from = 0;
  to = 0;
  /** A ustar prefix and name, joined. */
  private readonly joined = Buffer.alloc(PLAIN_PATH_BYTES);

  /**
   * Reads the name of the header block at `at`: false where it is not plain or is the root, else
   * true with its path's bytes in place (in the block itself, or joined from a long name's parts).
   * `posix`: the block is POSIX ustar, whose prefix field holds a long name's start.
   */
  read(block: Buffer, at: number, posix: boolean): boolean {
    let bytes = block;
    let i = at;
    let limit = at + 100;
    if (posix && block[at + 345] !== 0) {
      const joined = this.joined;
      let length = copyText(block, at + 345, 155, joined, 0);
      joined[length++] = SLASH;
      length = copyText(block, at, 100, joined, length);
      bytes = joined;
      i = 0;
      limit = length;
    }
    if (bytes[i] === DOT && bytes[i + 1] === SLASH) i += 2;
    else if (bytes[i] === SLASH) i++;
    const from = i;
    let part = i;
    for (; i < limit; i++) {
      const c = bytes[i]!;
      if (c === 0) break;
      if (c >= 0x80) return false;
      if (c !== SLASH) continue;
      // A slash that ends the name is dropped; any other ends a part, which must be plain.
      if (i + 1 === limit || bytes[i + 1] === 0) {
        if (i === part) return false;
        break;
      }
      if (!plainPart(bytes, part, i)) return false;
      part = i + 1;
    }
    const to = i;
    if (to <= from || (part < to && !plainPart(bytes, part, to))) return false;
    this.bytes = bytes;
    this.from = from;
    this.to = to;
    return true;
  }
}

/** Not empty, `.` or `..`, nor `.wh.`: a whiteout, an opaque marker or AUFS metadata. */
function plainPart(bytes: Buffer, from: number, to: number): boolean {
  const n = to - from;
  if (n === 0) return false;
  if (bytes[from] !== DOT) return true;
  if (n === 1 || (n === 2 && bytes[from + 1] === DOT)) return false;
  return !(n >= 4 && bytes[from + 1] === W && bytes[from + 2] === H && bytes[from + 3] === DOT);
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
