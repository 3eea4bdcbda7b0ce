import { describe, expect, it } from 'vitest';
import type { ComparedSide } from '../api/compare-api';
import { contentsView } from './compare-contents';

const side = (
  text: string | number[],
  digest = `d-${String(text)}`,
  truncated = false,
): ComparedSide => {
  const bytes = typeof text === 'string' ? new TextEncoder().encode(text) : Uint8Array.from(text);
  return { size: bytes.length, digest, bytes, truncated };
};

describe('what the file diff shows of the contents', () => {
  it('nothing when neither side is a regular file', () => {
    expect(contentsView(null, null)).toEqual({ kind: 'none' });
  });

  it('"the same" for equal digests, without decoding anything', () => {
    expect(contentsView(side([0, 1, 2], 'x'), side([0, 1, 2], 'x'))).toEqual({ kind: 'same' });
  });

  it('a text diff of two texts, an absent side as empty text', () => {
    expect(contentsView(side('a\n'), side('b\n'))).toEqual({
      kind: 'text',
      a: 'a\n',
      b: 'b\n',
      truncated: false,
    });
    expect(contentsView(null, side('new\n'))).toEqual({
      kind: 'text',
      a: '',
      b: 'new\n',
      truncated: false,
    });
  });

  it('says when either side is only the start of the file', () => {
    expect(contentsView(side('a'), side('b', 'd-b', true))).toMatchObject({ truncated: true });
  });

  it('sizes and digests when either side is binary', () => {
    expect(contentsView(side('text\n'), side([0x7f, 0x45, 0x4c, 0x46, 0, 0]))).toEqual({
      kind: 'binary',
    });
    expect(contentsView(side([0, 0, 0]), null)).toEqual({ kind: 'binary' });
  });
});
