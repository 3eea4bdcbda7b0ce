import { describe, expect, it } from 'vitest';
import { hexLines } from './hex';

describe('hexLines', () => {
  it('shows offset, two groups of eight and printable ASCII', () => {
    const bytes = new TextEncoder().encode('\x7fELF binary!\n\x00\x01ABCD');
    const lines = hexLines(bytes, 0x100);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toEqual({
      offset: '00000100',
      hex: '7f 45 4c 46 20 62 69 6e  61 72 79 21 0a 00 01 41',
      ascii: '.ELF binary!...A',
    });
    expect(lines[1]?.offset).toBe('00000110');
    expect(lines[1]?.hex.trimEnd()).toBe('42 43 44');
    // The last line keeps the full width so the columns line up.
    expect(lines[1]?.hex).toHaveLength(lines[0]!.hex.length);
    expect(lines[1]?.ascii).toBe('BCD');
  });

  it('puts 8 bytes a line where space is short, in one group', () => {
    const lines = hexLines(
      Uint8Array.from({ length: 10 }, (_, i) => 0x41 + i),
      0,
      8,
    );
    expect(lines.map((line) => line.offset)).toEqual(['00000000', '00000008']);
    expect(lines[0]?.hex).toBe('41 42 43 44  45 46 47 48');
    expect(lines[0]?.ascii).toBe('ABCDEFGH');
    expect(lines[1]?.hex).toHaveLength(lines[0]!.hex.length);
  });

  it('grows the offset past 4 GiB and gives nothing for no bytes', () => {
    expect(hexLines(new Uint8Array(1), 0x1_0000_0000)[0]?.offset).toBe('100000000');
    expect(hexLines(new Uint8Array(0))).toEqual([]);
  });
});
