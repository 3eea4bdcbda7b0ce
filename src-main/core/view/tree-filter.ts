// What a file view's filter box means: a name pattern (substring, glob or regex), change types
// and a minimum size. Matching is on the full path, case-insensitive for substrings and globs.
import type { TreeFilter } from '../../api/explorer';

export type { TreeFilter };
import { StrataError } from '../errors';
import type { Change, EntryType } from '../../api/model';
import type { Placed } from '../tree/merged-tree';

/** What a filter reads of a path: a node, or a leaf not made into one. */
export interface Testable {
  path: string;
  change: Change;
  type: EntryType;
  placed: Placed;
}
export type NodeTest = (node: Testable) => boolean;

export function isActive(filter: TreeFilter | undefined): boolean {
  return Boolean(filter && (filter.text || filter.changes?.length || filter.minSize));
}

/** `*` any run within a name, `**` any run across names, `?` one character. */
export function globToRegExp(glob: string): RegExp {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      out += '.*';
      i++;
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else out += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  // a pattern without a slash matches a name anywhere; with one, a path from the root
  return glob.includes('/') ? new RegExp(`^${out}$`, 'i') : new RegExp(`(^|/)${out}$`, 'i');
}

/** The only characters outside ASCII that lower-case to ASCII: İ (to i and a dot), K (Kelvin). */
const LOWERS_TO_ASCII = /[\u0130\u212a]/;
const NOT_ASCII = /[^\u0020-\u007e]/;

/**
 * Whether a path holds `text`, both in lower case: `path.toLowerCase().includes(lower)`, without
 * making a lower-case copy of every path. For an ASCII text, a case-insensitive regular
 * expression finds exactly the matches made of ASCII characters (it maps no other character to
 * ASCII); only a path with one of the two characters that lower-case to ASCII is lower-cased too.
 */
function containsIgnoringCase(text: string): NodeTest {
  const lower = text.toLowerCase();
  const slow: NodeTest = (n) => n.path.toLowerCase().includes(lower);
  if (NOT_ASCII.test(text)) return slow;
  const re = new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i');
  return (n) => re.test(n.path) || (LOWERS_TO_ASCII.test(n.path) && slow(n));
}

/**
 * The lower-case text every path a filter keeps must hold, when it is a substring filter: a
 * search may find those paths first and test only them.
 */
export function substringOf(filter: TreeFilter): string | null {
  if (!filter.text || filter.kind === 'glob' || filter.kind === 'regex') return null;
  return filter.text.toLowerCase();
}

export function compileFilter(filter: TreeFilter): NodeTest {
  const tests: NodeTest[] = [];
  if (filter.text) {
    const text = filter.text;
    if (filter.kind === 'regex') {
      let re: RegExp;
      try {
        re = new RegExp(text);
      } catch (err) {
        throw new StrataError(
          'bad-request',
          `The filter is not a valid regular expression: ${(err as Error).message}`,
        );
      }
      tests.push((n) => re.test(n.path));
    } else if (filter.kind === 'glob') {
      const re = globToRegExp(text);
      tests.push((n) => re.test(n.path));
    } else {
      tests.push(containsIgnoringCase(text));
    }
  }
  if (filter.changes?.length) {
    const wanted = new Set(filter.changes);
    tests.push((n) => wanted.has(n.change));
  }
  if (filter.minSize) {
    const min = filter.minSize;
    tests.push((n) => n.type === 'file' && n.placed.entry.size >= min);
  }
  if (tests.length === 1) return tests[0]!;
  return (node) => tests.every((t) => t(node));
}
