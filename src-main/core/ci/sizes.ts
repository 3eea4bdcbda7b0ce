// Byte sizes as people write them: `20MB` (decimal, as dive's parser reads it), `1.5GiB` (binary).
import { StrataError } from '../errors';

const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1e3,
  kb: 1e3,
  m: 1e6,
  mb: 1e6,
  g: 1e9,
  gb: 1e9,
  t: 1e12,
  tb: 1e12,
  ki: 1024,
  kib: 1024,
  mi: 1024 ** 2,
  mib: 1024 ** 2,
  gi: 1024 ** 3,
  gib: 1024 ** 3,
  ti: 1024 ** 4,
  tib: 1024 ** 4,
};

export function parseSize(text: string | number, what: string): number {
  if (typeof text === 'number' && Number.isFinite(text) && text >= 0) return text;
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(String(text));
  const unit = match ? UNITS[match[2]!.toLowerCase()] : undefined;
  if (!match || unit === undefined) {
    throw new StrataError(
      'bad-request',
      `${what}: "${text}" is not a size (examples: 20MB, 1.5GiB, 5000000)`,
    );
  }
  return Math.round(Number(match[1]) * unit);
}

/** A ratio as dive writes it (0.2), or a percentage with a sign (20%). */
export function parseRatio(text: string | number, what: string): number {
  if (typeof text === 'number' && Number.isFinite(text) && text >= 0) return text;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(%?)\s*$/.exec(String(text));
  if (!match)
    throw new StrataError('bad-request', `${what}: "${text}" is not a ratio (examples: 0.2, 20%)`);
  return Number(match[1]) / (match[2] ? 100 : 1);
}
