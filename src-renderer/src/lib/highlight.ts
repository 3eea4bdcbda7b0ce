// Syntax colour as data: Prism's tokenizer turns text into tokens, which become lines of
// segments with a colour class; the inspector renders them as text nodes (never as HTML).
import './prism-manual';
import Prism from 'prismjs';
import 'prismjs/components/prism-json';
import 'prismjs/components/prism-yaml';
import 'prismjs/components/prism-bash';
import 'prismjs/components/prism-docker';
import 'prismjs/components/prism-ini';
import 'prismjs/components/prism-toml';
import 'prismjs/components/prism-javascript';
import 'prismjs/components/prism-typescript';
import 'prismjs/components/prism-python';
import 'prismjs/components/prism-markup';
import 'prismjs/components/prism-css';
import 'prismjs/components/prism-markdown';
import 'prismjs/components/prism-nginx';
import type { Language } from './language';

/** The colours the inspector has; every Prism token type maps to one of them or to none. */
export type TokenColour =
  | 'comment'
  | 'string'
  | 'number'
  | 'keyword'
  | 'function'
  | 'property'
  | 'operator'
  | 'punctuation'
  | 'tag'
  | 'attr'
  | 'variable'
  | 'constant';

export interface Segment {
  text: string;
  colour: TokenColour | null;
}

export type HighlightedLine = Segment[];

const COLOURS: Record<string, TokenColour> = {
  comment: 'comment',
  prolog: 'comment',
  doctype: 'comment',
  cdata: 'comment',
  shebang: 'comment',
  string: 'string',
  char: 'string',
  'attr-value': 'string',
  'template-string': 'string',
  'string-interpolation': 'string',
  regex: 'string',
  url: 'string',
  number: 'number',
  boolean: 'constant',
  constant: 'constant',
  null: 'constant',
  symbol: 'constant',
  keyword: 'keyword',
  atrule: 'keyword',
  important: 'keyword',
  instruction: 'keyword',
  directive: 'keyword',
  selector: 'keyword',
  title: 'keyword',
  function: 'function',
  'function-name': 'function',
  'class-name': 'function',
  builtin: 'function',
  property: 'property',
  key: 'property',
  section: 'tag',
  'attr-name': 'attr',
  tag: 'tag',
  operator: 'operator',
  punctuation: 'punctuation',
  variable: 'variable',
  parameter: 'variable',
  entity: 'constant',
};

/** The colour of a token: its own type first, then its aliases. */
function colourOf(token: Prism.Token): TokenColour | null {
  const own = COLOURS[token.type];
  if (own) return own;
  const aliases = Array.isArray(token.alias) ? token.alias : token.alias ? [token.alias] : [];
  for (const alias of aliases) {
    const colour = COLOURS[alias];
    if (colour) return colour;
  }
  return null;
}

/** Splits `text` into lines; a trailing newline does not make an empty last line. */
export function plainLines(text: string): HighlightedLine[] {
  const lines = text.split('\n');
  if (lines.length > 1 && lines.at(-1) === '') lines.pop();
  return lines.map((line) => (line ? [{ text: line, colour: null }] : []));
}

/** Lines of coloured segments for `text` in `language` (plain lines when null). */
export function highlightLines(text: string, language: Language | null): HighlightedLine[] {
  const grammar = language ? Prism.languages[language] : undefined;
  if (!grammar) return plainLines(text);
  const lines: HighlightedLine[] = [[]];
  const emit = (piece: string, colour: TokenColour | null) => {
    const parts = piece.split('\n');
    parts.forEach((part, i) => {
      if (i > 0) lines.push([]);
      if (part) lines.at(-1)!.push({ text: part, colour });
    });
  };
  const walk = (stream: Prism.TokenStream, inherited: TokenColour | null) => {
    if (typeof stream === 'string') emit(stream, inherited);
    else if (Array.isArray(stream)) for (const item of stream) walk(item, inherited);
    else walk(stream.content, colourOf(stream) ?? inherited);
  };
  walk(Prism.tokenize(text, grammar), null);
  if (lines.length > 1 && lines.at(-1)!.length === 0 && text.endsWith('\n')) lines.pop();
  return lines;
}
