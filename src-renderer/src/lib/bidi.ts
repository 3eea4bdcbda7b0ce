// Bidirectional control characters (Trojan Source, CVE-2021-42574) reorder how text is shown
// without changing what it is: a preview shows each one as a visible marker (⟨RLO⟩) instead,
// so the text reads in the order it is stored.

export interface BidiControl {
  /** The character itself. */
  char: string;
  /** Its usual abbreviation: RLO, LRI, PDF... */
  short: string;
  /** `U+202E RIGHT-TO-LEFT OVERRIDE`. */
  name: string;
}

const CONTROLS: [number, string, string][] = [
  [0x061c, 'ALM', 'ARABIC LETTER MARK'],
  [0x200e, 'LRM', 'LEFT-TO-RIGHT MARK'],
  [0x200f, 'RLM', 'RIGHT-TO-LEFT MARK'],
  [0x202a, 'LRE', 'LEFT-TO-RIGHT EMBEDDING'],
  [0x202b, 'RLE', 'RIGHT-TO-LEFT EMBEDDING'],
  [0x202c, 'PDF', 'POP DIRECTIONAL FORMATTING'],
  [0x202d, 'LRO', 'LEFT-TO-RIGHT OVERRIDE'],
  [0x202e, 'RLO', 'RIGHT-TO-LEFT OVERRIDE'],
  [0x2066, 'LRI', 'LEFT-TO-RIGHT ISOLATE'],
  [0x2067, 'RLI', 'RIGHT-TO-LEFT ISOLATE'],
  [0x2068, 'FSI', 'FIRST STRONG ISOLATE'],
  [0x2069, 'PDI', 'POP DIRECTIONAL ISOLATE'],
];

const BY_CHAR = new Map<string, BidiControl>(
  CONTROLS.map(([code, short, name]) => {
    const char = String.fromCharCode(code);
    const hex = code.toString(16).toUpperCase().padStart(4, '0');
    return [char, { char, short, name: `U+${hex} ${name}` }];
  }),
);

const ANY = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
const EACH = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function hasBidiControl(text: string): boolean {
  return ANY.test(text);
}

/** A piece of text: plain text, or one control character to show as a marker. */
export type BidiPiece = { text: string; control: null } | { text: string; control: BidiControl };

/** Splits `text` around its bidi control characters (one piece per control). */
export function splitBidi(text: string): BidiPiece[] {
  const pieces: BidiPiece[] = [];
  let at = 0;
  for (const match of text.matchAll(EACH)) {
    if (match.index > at) pieces.push({ text: text.slice(at, match.index), control: null });
    pieces.push({ text: match[0], control: BY_CHAR.get(match[0])! });
    at = match.index + match[0].length;
  }
  if (at < text.length) pieces.push({ text: text.slice(at), control: null });
  return pieces;
}

/** How many bidi control characters `text` holds. */
export function countBidiControls(text: string): number {
  let count = 0;
  for (const _ of text.matchAll(EACH)) count++;
  return count;
}
