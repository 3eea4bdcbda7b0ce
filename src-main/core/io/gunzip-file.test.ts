import { closeSync, mkdtempSync, openSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { canGunzipInPlace, gunzipFileRegion } from './gunzip-file';

const dir = mkdtempSync(join(tmpdir(), 'strata-gunzip-'));
const open: number[] = [];
afterAll(() => open.forEach((fd) => closeSync(fd)));

/** `bytes` in a file between 100 bytes of junk on each side; the region's bounds. */
function inFile(bytes: Buffer): { fd: number; start: number; end: number } {
  const path = join(dir, `${open.length}.bin`);
  writeFileSync(path, Buffer.concat([Buffer.alloc(100, 7), bytes, Buffer.alloc(100, 9)]));
  const fd = openSync(path, 'r');
  open.push(fd);
  return { fd, start: 100, end: 100 + bytes.length };
}

/** What the region inflates to, each piece copied (the reader writes its buffers again). */
function gunzip(bytes: Buffer): { out: Buffer; stored: Buffer; pieces: number } {
  const { fd, start, end } = inFile(bytes);
  const out: Buffer[] = [];
  const stored: Buffer[] = [];
  gunzipFileRegion(
    fd,
    start,
    end,
    (piece) => stored.push(Buffer.from(piece)),
    (piece) => out.push(Buffer.from(piece)),
  );
  return { out: Buffer.concat(out), stored: Buffer.concat(stored), pieces: out.length };
}

describe('inflating a region of a file in place', () => {
  it('runs on this runtime', () => {
    expect(canGunzipInPlace()).toBe(true);
  });

  it('gives the bytes zlib gives, across members and its buffers, and each byte read', () => {
    const text = Buffer.from('layer '.repeat(400_000));
    const noise = randomBytes(3 * 1024 * 1024 + 17);
    const members = Buffer.concat([gzipSync(text), gzipSync(noise), gzipSync(Buffer.alloc(0))]);
    const { out, stored, pieces } = gunzip(members);
    expect(out.equals(Buffer.concat([text, noise]))).toBe(true);
    expect(stored.equals(members)).toBe(true);
    expect(pieces).toBeGreaterThan(10);
  });

  it('fails on a stream cut short, an empty region and bytes that are no gzip', () => {
    const whole = gzipSync(randomBytes(200_000));
    expect(() => gunzip(whole.subarray(0, 5000))).toThrow('unexpected end of file');
    expect(() => gunzip(Buffer.alloc(0))).toThrow('unexpected end of file');
    expect(() => gunzip(Buffer.from('not gzip at all'))).toThrow('incorrect header check');
  });

  it('stops where a callback throws', () => {
    const { fd, start, end } = inFile(gzipSync(randomBytes(2_000_000)));
    let seen = 0;
    expect(() =>
      gunzipFileRegion(
        fd,
        start,
        end,
        () => {},
        (piece) => {
          seen += piece.length;
          if (seen > 300_000) throw new Error('enough');
        },
      ),
    ).toThrow('enough');
    expect(seen).toBeLessThan(1_000_000);
  });
});
