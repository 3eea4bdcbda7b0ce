import { describe, expect, it } from 'vitest';
import { parseWarning, shortenDigests, warningsByLayer } from './warnings';

describe('parseWarning', () => {
  it('takes the layer from the core`s `layer N: ` prefix', () => {
    expect(parseWarning('layer 3: its content does not match its diff ID sha256:ab')).toEqual({
      layer: 3,
      text: 'its content does not match its diff ID sha256:ab',
    });
  });

  it('leaves a warning about the whole image without a layer', () => {
    const text = 'the history has 3 steps that make a layer but the image has 4 layers: x';
    expect(parseWarning(text)).toEqual({ layer: null, text });
    expect(parseWarning('layers 1: no')).toEqual({ layer: null, text: 'layers 1: no' });
  });
});

describe('warningsByLayer', () => {
  it('groups the texts of each layer, in order, and skips image-wide warnings', () => {
    const map = warningsByLayer([
      { layer: 1, text: 'a' },
      { layer: null, text: 'b' },
      { layer: 1, text: 'c' },
      { layer: 0, text: 'd' },
    ]);
    expect([...map.entries()]).toEqual([
      [1, ['a', 'c']],
      [0, ['d']],
    ]);
  });
});

describe('shortenDigests', () => {
  it('cuts sha256 digests to 12 hex digits and leaves other text alone', () => {
    const digest = `sha256:${'0123456789ab'.repeat(5)}abcd`;
    expect(shortenDigests(`diff ID ${digest} (hashes to ${digest})`)).toBe(
      'diff ID sha256:0123456789ab… (hashes to sha256:0123456789ab…)',
    );
    expect(shortenDigests('sha256:abc is short')).toBe('sha256:abc is short');
  });
});
