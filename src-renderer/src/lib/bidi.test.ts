import { describe, expect, it } from 'vitest';
import { hasBidiControl, splitBidi } from './bidi';

describe('splitBidi', () => {
  it('leaves text without controls whole', () => {
    expect(hasBidiControl('if (isAdmin) { return; }')).toBe(false);
    expect(splitBidi('plain')).toEqual([{ text: 'plain', control: null }]);
    expect(splitBidi('')).toEqual([]);
  });

  it('cuts out every kind of bidi control, named', () => {
    const all = '\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c';
    expect(hasBidiControl(all)).toBe(true);
    expect(splitBidi(all).map((piece) => piece.control?.short)).toEqual([
      'LRE',
      'RLE',
      'PDF',
      'LRO',
      'RLO',
      'LRI',
      'RLI',
      'FSI',
      'PDI',
      'LRM',
      'RLM',
      'ALM',
    ]);
  });

  it('keeps the text around a Trojan Source comment in its stored order', () => {
    const line = '/*\u202e } \u2066if (isAdmin)\u2069 \u2066 begin admins only */';
    const pieces = splitBidi(line);
    expect(pieces.map((p) => (p.control ? `⟨${p.control.short}⟩` : p.text)).join('')).toBe(
      '/*⟨RLO⟩ } ⟨LRI⟩if (isAdmin)⟨PDI⟩ ⟨LRI⟩ begin admins only */',
    );
    expect(pieces[1]).toEqual({
      text: '\u202e',
      control: { char: '\u202e', short: 'RLO', name: 'U+202E RIGHT-TO-LEFT OVERRIDE' },
    });
  });
});
