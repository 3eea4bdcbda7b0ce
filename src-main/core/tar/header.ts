// One 512-byte tar header block: POSIX ustar, GNU and v7 layouts.
export const BLOCK = 512;

export interface RawHeader {
  name: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  typeflag: string;
  linkname: string;
}

export type HeaderResult =
  { kind: 'header'; header: RawHeader } | { kind: 'zero' } | { kind: 'invalid'; reason: string };

function isZero(block: Buffer): boolean {
  // Almost every block has a name in its first bytes: the loop ends at once.
  for (let i = 0; i < BLOCK; i++) if (block[i] !== 0) return false;
  return true;
}

/** A NUL-terminated field, decoded as UTF-8 (names are bytes; invalid UTF-8 becomes U+FFFD). */
function text(block: Buffer, start: number, length: number): string {
  let end = start;
  const limit = start + length;
  while (end < limit && block[end] !== 0) end++;
  return block.toString('utf8', start, end);
}

/** An octal number, or GNU base-256 when the top bit of the first byte is set. */
export function numeric(block: Buffer, start: number, length: number): number | null {
  const first = block[start] ?? 0;
  if (first & 0x80) {
    if (first === 0xff) return null; // negative
    let value = first & 0x7f;
    for (let i = start + 1; i < start + length; i++) {
      value = value * 256 + (block[i] ?? 0);
      if (value > Number.MAX_SAFE_INTEGER) return null;
    }
    return value;
  }
  let i = start;
  const end = start + length;
  while (i < end && (block[i] === 0x20 || block[i] === 0)) i++;
  let value = 0;
  let digits = 0;
  for (; i < end; i++) {
    const c = block[i] ?? 0;
    if (c === 0 || c === 0x20) break;
    if (c < 0x30 || c > 0x37) return null;
    value = value * 8 + (c - 0x30);
    digits++;
  }
  return digits === 0 ? 0 : value;
}

function checksumMatches(block: Buffer): boolean {
  const stored = numeric(block, 148, 8);
  if (stored === null) return false;
  // The checksum field itself counts as eight spaces.
  let unsigned = 8 * 0x20;
  let high = 0;
  for (let i = 0; i < 148; i++) {
    const byte = block[i]!;
    unsigned += byte;
    if (byte > 127) high++;
  }
  for (let i = 156; i < BLOCK; i++) {
    const byte = block[i]!;
    unsigned += byte;
    if (byte > 127) high++;
  }
  // Old writers summed signed chars: each byte over 127 counts 256 less.
  return stored === unsigned || stored === unsigned - 256 * high;
}

/** The magic is "ustar\0" (POSIX), not GNU's "ustar  ". */
function isPosixUstar(block: Buffer): boolean {
  return (
    block[257] === 0x75 && // u
    block[258] === 0x73 && // s
    block[259] === 0x74 && // t
    block[260] === 0x61 && // a
    block[261] === 0x72 && // r
    block[262] === 0
  );
}

export function parseHeader(block: Buffer): HeaderResult {
  if (isZero(block)) return { kind: 'zero' };
  if (!checksumMatches(block)) return { kind: 'invalid', reason: 'bad header checksum' };
  const size = numeric(block, 124, 12);
  const mode = numeric(block, 100, 8);
  const uid = numeric(block, 108, 8);
  const gid = numeric(block, 116, 8);
  const mtime = numeric(block, 136, 12);
  if (size === null) return { kind: 'invalid', reason: 'unreadable or negative size' };
  if (mode === null || uid === null || gid === null)
    return { kind: 'invalid', reason: 'unreadable mode, uid or gid' };
  let name = text(block, 0, 100);
  // POSIX ustar splits long names into prefix/name; GNU's "ustar  " uses that area for other things.
  if (isPosixUstar(block)) {
    const prefix = text(block, 345, 155);
    if (prefix) name = `${prefix}/${name}`;
  }
  const flag = block[156] ?? 0;
  return {
    kind: 'header',
    header: {
      name,
      mode,
      uid,
      gid,
      size,
      mtime: mtime ?? 0,
      typeflag: flag === 0 ? '0' : String.fromCharCode(flag),
      // uname, gname and the device numbers (265..345) are not read: Strata shows uid and gid.
      linkname: text(block, 157, 100),
    },
  };
}

export function paddedSize(size: number): number {
  return Math.ceil(size / BLOCK) * BLOCK;
}
