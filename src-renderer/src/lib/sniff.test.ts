import { describe, expect, it } from 'vitest';
import { imageMime, looksLikeText, sniffContent } from './sniff';

const bytes = (...values: (number | string)[]) =>
  Uint8Array.from(
    values.flatMap((v) => (typeof v === 'string' ? [...v].map((c) => c.charCodeAt(0)) : [v])),
  );

describe('sniffContent', () => {
  it('recognises the image formats the inspector previews', () => {
    expect(imageMime(bytes(0x89, 'PNG', 0x0d, 0x0a, 0x1a, 0x0a, 0))).toBe('image/png');
    expect(imageMime(bytes(0xff, 0xd8, 0xff, 0xe0))).toBe('image/jpeg');
    expect(imageMime(bytes('GIF89a'))).toBe('image/gif');
    expect(imageMime(bytes('RIFF', 0, 0, 0, 0, 'WEBPVP8 '))).toBe('image/webp');
    expect(imageMime(bytes('RIFF', 0, 0, 0, 0, 'WAVE'))).toBeNull();
    const svg = new TextEncoder().encode('<?xml version="1.0"?>\n<svg xmlns="x"></svg>');
    expect(sniffContent('/a/logo.svg', svg, svg.length)).toEqual({
      kind: 'image',
      mime: 'image/svg+xml',
    });
    expect(sniffContent('/a/logo.xml', svg, svg.length)).toEqual({ kind: 'text' });
  });

  it('tells text from binary', () => {
    expect(looksLikeText(new TextEncoder().encode('naïve café\n\tok'))).toBe(true);
    expect(looksLikeText(bytes(0x7f, 'ELF', 2, 1, 1, 0))).toBe(false);
    expect(looksLikeText(bytes(0xc3))).toBe(true); // a sequence cut by the page end
    expect(looksLikeText(bytes(0xff, 0xfe, 'a'))).toBe(false);
    expect(sniffContent('/f', bytes(1, 2, 3, 4, 5), 5)).toEqual({ kind: 'binary' });
    expect(sniffContent('/f', bytes(), 0)).toEqual({ kind: 'empty' });
  });
});
