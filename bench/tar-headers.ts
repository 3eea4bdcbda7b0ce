// The tar header walk of bench/floor.ts's forms: every header between two offsets of a file,
// read through one 64 KiB window as Strata's reader does.
import { readSync } from 'node:fs';

/** Where a member's bytes lie in the file. */
export interface Region {
  start: number;
  size: number;
}

export const BLOCK = 512;
const WINDOW = 64 * 1024;

/** A tar number field: octal text, or base-256 when its first byte has the high bit. */
export function octal(b: Uint8Array, at: number, len: number): number {
  let v = 0;
  if (b[at]! & 0x80) {
    for (let i = at + 1; i < at + len; i++) v = v * 256 + b[i]!;
    return v;
  }
  for (let i = at; i < at + len; i++) {
    const c = b[i]!;
    if (c >= 48 && c <= 55) v = v * 8 + (c - 48);
    else if (c === 0 || (c === 32 && v)) break;
  }
  return v;
}

/**
 * Calls `visit` for each header of the tar in `fd` between `start` and `end`, with the window
 * holding it, where it starts in the window, its type byte, its size field and where its data
 * starts in the file. The window is reused: what a visit keeps of it, it copies.
 */
export function forEachHeader(
  fd: number,
  window: Buffer,
  start: number,
  end: number,
  visit: (window: Buffer, at: number, type: number, size: number, dataAt: number) => void,
): void {
  let windowStart = -1;
  let windowLength = 0;
  for (let pos = start; pos + BLOCK <= end;) {
    if (windowStart < 0 || pos + BLOCK > windowStart + windowLength) {
      windowLength = readSync(fd, window, 0, Math.min(WINDOW, window.length, end - pos), pos);
      windowStart = pos;
    }
    const at = pos - windowStart;
    if (window[at] === 0) break;
    const size = octal(window, at + 124, 12);
    const dataAt = pos + BLOCK;
    pos = dataAt + Math.ceil(size / BLOCK) * BLOCK;
    visit(window, at, window[at + 156]!, size, dataAt);
  }
}
