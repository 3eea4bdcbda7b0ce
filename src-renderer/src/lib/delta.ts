// How the Compare view writes a difference: a signed size (`+1.2 kB`, `−340 B`) and a signed
// percentage, with a true minus sign. Pure functions; tested in delta.test.ts.
import { formatBytes, formatPercent } from './format';

const MINUS = '\u2212';

/** `+1.2 kB`, `−340 B`, `0 B`. */
export function formatDelta(bytes: number): string {
  if (!Number.isFinite(bytes)) return '–';
  if (bytes === 0) return '0 B';
  return `${bytes > 0 ? '+' : MINUS}${formatBytes(Math.abs(bytes))}`;
}

/** B against A as a signed percentage: `+12.5%`, `−3%`; null when A is 0. */
export function formatRelativeDelta(a: number, b: number): string | null {
  if (a === 0 || !Number.isFinite(a) || !Number.isFinite(b)) return null;
  const ratio = (b - a) / a;
  if (ratio === 0) return '0%';
  return `${ratio > 0 ? '+' : MINUS}${formatPercent(Math.abs(ratio))}`;
}

/** `grew`, `shrank` or `same`: how a delta is coloured. */
export function deltaDirection(bytes: number): 'grew' | 'shrank' | 'same' {
  return bytes > 0 ? 'grew' : bytes < 0 ? 'shrank' : 'same';
}
