import { describe, expect, it } from 'vitest';
import { deltaDirection, formatDelta, formatRelativeDelta } from './delta';

describe('deltas', () => {
  it('writes a signed size with a true minus sign', () => {
    expect(formatDelta(1234)).toBe('+1.2 kB');
    expect(formatDelta(-340)).toBe('\u2212340 B');
    expect(formatDelta(0)).toBe('0 B');
  });

  it('writes B against A as a signed percentage', () => {
    expect(formatRelativeDelta(200, 250)).toBe('+25%');
    expect(formatRelativeDelta(1000, 970)).toBe('\u22123%');
    expect(formatRelativeDelta(5, 5)).toBe('0%');
    expect(formatRelativeDelta(0, 5)).toBeNull();
  });

  it('says which way a delta goes', () => {
    expect([deltaDirection(1), deltaDirection(-1), deltaDirection(0)]).toEqual([
      'grew',
      'shrank',
      'same',
    ]);
  });
});
