// What the CLI prints, written synchronously through one reused buffer. `process.stdout.write`
// of a large string encodes it into a fresh buffer of its size: for `ls --json` of a big image
// (15 MB) that costs more than building the JSON, most of it the first touch of new memory.
import { writeSync } from 'node:fs';
import { columnWidths, tableRow } from './format';

/** UTF-16 units encoded per write: at most three bytes each, so they always fit the buffer. */
const UNITS = 256 * 1024;
let scratch: Buffer | null = null;
let closed = false;
const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * Writes `text` to `fd` (stdout). A reader that stops reading (`strata ls --json | head`) ends
 * the output quietly: what is left is dropped and the command still returns its own status.
 */
export function writeOut(text: string, fd = 1): void {
  if (closed) return;
  scratch ??= Buffer.allocUnsafe(UNITS * 3);
  for (let at = 0; at < text.length && !closed;) {
    let end = Math.min(text.length, at + UNITS);
    // Never split a surrogate pair between two writes.
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end--;
    const bytes = scratch.write(end - at === text.length ? text : text.slice(at, end));
    writeAll(fd, scratch, bytes);
    at = end;
  }
}

/**
 * Writes `JSON.stringify(items)` a few hundred items at a time. V8 builds a long JSON text as a
 * rope and copies it into one new string when it is first read; a piece of tens of kilobytes is
 * made in memory the heap reuses (ls --json of 93k entries: 100 -> 40 ms).
 */
export function writeJsonArray(items: readonly unknown[], fd = 1): void {
  const PIECE = 256;
  writeOut('[', fd);
  for (let at = 0; at < items.length; at += PIECE) {
    const piece = JSON.stringify(items.slice(at, at + PIECE));
    if (at > 0) writeOut(',', fd);
    writeOut(piece.slice(1, -1), fd);
  }
  writeOut(']', fd);
}

/**
 * A `table` of `count` rows written a few hundred at a time: each row is made twice (once for the
 * column widths) instead of every row being held, and no text of the whole table is made.
 */
export function writeTable(
  count: number,
  row: (i: number) => string[],
  rightAligned: number[] = [],
  fd = 1,
): void {
  const PIECE = 256;
  const widths = columnWidths(count, row);
  for (let at = 0; at < count; at += PIECE) {
    const lines: string[] = [];
    for (let i = at; i < Math.min(count, at + PIECE); i++)
      lines.push(tableRow(row(i), widths, rightAligned));
    writeOut((at > 0 ? '\n' : '') + lines.join('\n'), fd);
  }
}

function writeAll(fd: number, buffer: Buffer, length: number): void {
  let done = 0;
  while (done < length) {
    try {
      done += writeSync(fd, buffer, done, length - done);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // A non-blocking pipe that is full: wait a moment for the reader.
      if (code === 'EAGAIN') Atomics.wait(pause, 0, 0, 2);
      else if (readerGone(code)) {
        closed = true;
        return;
      } else throw err;
    }
  }
}

/** The reader of a pipe (EPIPE) or of a socket pair, as Node's child processes get (ECONNRESET), went away. */
export function readerGone(code: string | undefined): boolean {
  return code === 'EPIPE' || code === 'ECONNRESET';
}
