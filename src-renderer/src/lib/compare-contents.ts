// What the file diff shows of a compared path's contents: nothing (no regular file on either
// side), "the same" (equal digests), a text diff, or sizes and digests (binary). Pure; tested in
// compare-contents.test.ts.
import type { ComparedSide } from '../api/compare-api';
import { looksLikeText } from './sniff';

export type ContentsView =
  | { kind: 'none' }
  | { kind: 'same' }
  | { kind: 'binary' }
  | { kind: 'text'; a: string; b: string; truncated: boolean };

export function contentsView(a: ComparedSide | null, b: ComparedSide | null): ContentsView {
  if (!a && !b) return { kind: 'none' };
  if (a && b && a.digest === b.digest) return { kind: 'same' };
  const sides = [a, b].filter((side): side is ComparedSide => side !== null);
  if (!sides.every((side) => looksLikeText(side.bytes))) return { kind: 'binary' };
  const decode = (side: ComparedSide | null) => (side ? new TextDecoder().decode(side.bytes) : '');
  return {
    kind: 'text',
    a: decode(a),
    b: decode(b),
    truncated: sides.some((side) => side.truncated),
  };
}
