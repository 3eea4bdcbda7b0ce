import { describe, expect, it } from 'vitest';
import { parseHeader } from './header';

/** A ustar header for `name`, its checksum summed as unsigned (POSIX) or signed chars (old tars). */
function header(name: string, signed = false): Buffer {
  const b = Buffer.alloc(512);
  b.write(name, 0, 'utf8');
  b.write('0000644\0', 100);
  b.write('0000000\0', 108);
  b.write('0000000\0', 116);
  b.write('00000000017\0', 124);
  b.write('00000000000\0', 136);
  b.write('0', 156);
  b.write('ustar\x0000', 257, 'latin1');
  b.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of b) sum += signed && byte > 127 ? byte - 256 : byte;
  b.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
  return b;
}

describe('tar header checksums', () => {
  const names = ['plain.txt', 'café/ünïcödé-名前.txt', '\u00ff'.repeat(5)];

  it('accepts unsigned and signed sums, at any alignment within a window', () => {
    for (const name of names) {
      for (const signed of [false, true]) {
        const block = header(name, signed);
        for (const shift of [0, 1, 2, 3, 512]) {
          const window = Buffer.alloc(shift + 1024);
          block.copy(window, shift);
          const parsed = parseHeader(window, shift);
          expect(parsed.kind, `${name} signed=${signed} shift=${shift}`).toBe('header');
          if (parsed.kind === 'header') expect(parsed.name).toBe(name);
        }
      }
    }
  });

  it('refuses a block whose sum is off by one byte anywhere', () => {
    for (const at of [0, 147, 156, 300, 511]) {
      const block = header(names[1]!);
      block[at] = (block[at]! + 1) & 0xff;
      expect(parseHeader(block).kind, `changed byte ${at}`).toBe('invalid');
    }
  });
});
