// One 512-byte tar header block: POSIX ustar, GNU and v7 layouts.
export const BLOCK = 512;

export interface RawHeader {
  kind: 'header';
  name: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  typeflag: string;
  linkname: string;
}

export type HeaderResult = RawHeader | { kind: 'zero' } | { kind: 'invalid'; reason: string };

const ZERO = { kind: 'zero' } as const;

function isZero(block: Buffer, at: number): boolean {
  // Almost every block has a name in its first bytes: the loop ends at once.
  for (let i = at; i < at + BLOCK; i++) if (block[i] !== 0) return false;
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

function checksumMatches(block: Buffer, at: number): boolean {
  const stored = numeric(block, at + 148, 8);
  if (stored === null) return false;
  // The checksum field itself (148..156) counts as eight spaces.
  const unsigned = 8 * 0x20 + byteSum(block, at);
  // Old writers summed signed chars: each byte over 127 counts 256 less. Counted only for the
  // rare header that needs it.
  return stored === unsigned || stored === unsigned - 256 * highBytes(block, at);
}

/** The sum of the header's bytes but its checksum field's. */
function byteSum(block: Buffer, at: number): number {
  if ((block.byteOffset + at) % 4 !== 0) {
    let sum = 0;
    for (let i = at; i < at + BLOCK; i++) {
      if (i === at + 148) i += 8;
      sum += block[i]!;
    }
    return sum;
  }
  // Four bytes at a time, as the byte sums of two 16-bit lanes: 126 words * 2 bytes * 255 per
  // lane stays below 2^16, so the lanes never carry (kept to 32 bits, V8 keeps them integers).
  const words = wordsOf(block.buffer);
  const first = (block.byteOffset + at) >>> 2;
  let lanes = 0;
  // Words 37 and 38 are the checksum field.
  for (let w = first; w < first + 37; w++) {
    const x = words[w]!;
    lanes = (lanes + (x & 0x00ff00ff) + ((x >>> 8) & 0x00ff00ff)) | 0;
  }
  for (let w = first + 39; w < first + BLOCK / 4; w++) {
    const x = words[w]!;
    lanes = (lanes + (x & 0x00ff00ff) + ((x >>> 8) & 0x00ff00ff)) | 0;
  }
  return (lanes & 0xffff) + (lanes >>> 16);
}

/** How many of the header's bytes but its checksum field's are over 127. */
function highBytes(block: Buffer, at: number): number {
  let high = 0;
  for (let i = at; i < at + BLOCK; i++) {
    if (i === at + 148) i += 8;
    if (block[i]! > 127) high++;
  }
  return high;
}

/** A 32-bit view of the whole buffer, kept for the next header of the same read-ahead window. */
let viewed: ArrayBufferLike | null = null;
let view: Uint32Array<ArrayBufferLike> = new Uint32Array(0);
function wordsOf(buffer: ArrayBufferLike): Uint32Array {
  if (buffer !== viewed) {
    view = new Uint32Array(buffer, 0, Math.floor(buffer.byteLength / 4));
    viewed = buffer;
  }
  return view;
}

/** The magic is "ustar\0" (POSIX), not GNU's "ustar  ". */
function isPosixUstar(block: Buffer, at: number): boolean {
  return (
    block[at + 257] === 0x75 && // u
    block[at + 258] === 0x73 && // s
    block[at + 259] === 0x74 && // t
    block[at + 260] === 0x61 && // a
    block[at + 261] === 0x72 && // r
    block[at + 262] === 0
  );
}

/**
 * A header's numbers, and where its texts lie, read without making a string: the index builder
 * takes a plain name's bytes straight from the block (layer/plain-path.ts).
 */
export class HeaderFields {
  size = 0;
  mode = 0;
  uid = 0;
  gid = 0;
  mtime = 0;
  /** The typeflag's byte (0 in old tars' files). */
  flag = 0;
  /** POSIX ustar: its prefix field (345..500) holds the start of a long name. */
  posix = false;
}

/** The header block at `at` into `fields`: 'header', 'zero' (an end block) or why it is invalid. */
export function readHeader(block: Buffer, at: number, fields: HeaderFields): string {
  if (isZero(block, at)) return 'zero';
  if (!checksumMatches(block, at)) return 'bad header checksum';
  const size = numeric(block, at + 124, 12);
  const mode = numeric(block, at + 100, 8);
  const uid = numeric(block, at + 108, 8);
  const gid = numeric(block, at + 116, 8);
  if (size === null) return 'unreadable or negative size';
  if (mode === null || uid === null || gid === null) return 'unreadable mode, uid or gid';
  fields.size = size;
  fields.mode = mode;
  fields.uid = uid;
  fields.gid = gid;
  fields.mtime = numeric(block, at + 136, 12) ?? 0;
  fields.flag = block[at + 156] ?? 0;
  // GNU's "ustar  " uses the prefix's area for other things.
  fields.posix = isPosixUstar(block, at);
  return 'header';
}

/** The stored name of the header read into `fields`: POSIX ustar's prefix and name joined. */
export function nameOf(block: Buffer, at: number, fields: HeaderFields): string {
  const name = text(block, at, 100);
  if (!fields.posix) return name;
  const prefix = text(block, at + 345, 155);
  return prefix ? `${prefix}/${name}` : name;
}

/** The header's link name (uname, gname and the device numbers are not read: Strata shows ids). */
export function linkNameOf(block: Buffer, at: number): string {
  return text(block, at + 157, 100);
}

export function typeflagOf(fields: HeaderFields): string {
  return fields.flag === 0 ? '0' : String.fromCharCode(fields.flag);
}

/** The header block at `at` in `block` (a read-ahead window holds many). */
export function parseHeader(block: Buffer, at = 0): HeaderResult {
  const fields = new HeaderFields();
  const result = readHeader(block, at, fields);
  if (result === 'zero') return ZERO;
  if (result !== 'header') return { kind: 'invalid', reason: result };
  return {
    kind: 'header',
    name: nameOf(block, at, fields),
    mode: fields.mode,
    uid: fields.uid,
    gid: fields.gid,
    size: fields.size,
    mtime: fields.mtime,
    typeflag: typeflagOf(fields),
    linkname: linkNameOf(block, at),
  };
}

export function paddedSize(size: number): number {
  return Math.ceil(size / BLOCK) * BLOCK;
}
