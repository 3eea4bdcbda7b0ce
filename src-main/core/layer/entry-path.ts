// Turning a layer tar entry's stored name into Strata's absolute path, and recognising whiteouts
// (image-spec layer.md: `.wh.NAME` deletes NAME, `.wh..wh..opq` makes its directory opaque).

export const WHITEOUT_PREFIX = '.wh.';
export const OPAQUE_MARKER = '.wh..wh..opq';
const META_PREFIX = '.wh..wh.';

/**
 * Normalises a stored name as moby's applier does, but clamping `..` at the root instead of
 * refusing the layer (the entry is kept and the layer gets a note). Null for the root itself.
 */
export function clampEntryPath(name: string): { path: string | null; clamped: boolean } {
  const simple = simplePath(name);
  if (simple !== null) return { path: simple, clamped: false };
  const parts: string[] = [];
  let clamped = false;
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length === 0) clamped = true;
      else parts.pop();
      continue;
    }
    parts.push(part);
  }
  return { path: parts.length === 0 ? null : '/' + parts.join('/'), clamped };
}

/** `.`, `..` or an empty part (`//`) somewhere in a name: the slow path must fold it. */
const NEEDS_FOLDING = /(?:^|\/)\.{0,2}(?:\/|$)/;

/**
 * The common case without splitting: `./a/b`, `a/b/`, `/a/b` become `/a/b` when no part is
 * `.`, `..` or empty. Null when the name needs the full treatment (or is the root).
 */
export function simplePath(name: string): string | null {
  let from = 0;
  let to = name.length;
  if (name.startsWith('./')) from = 2;
  else if (name.startsWith('/')) from = 1;
  if (to > from && name.charCodeAt(to - 1) === 0x2f) to--;
  if (to <= from) return null;
  const body = from === 0 && to === name.length ? name : name.slice(from, to);
  return NEEDS_FOLDING.test(body) ? null : '/' + body;
}

/**
 * Normalises a stored name to `/a/b`: strips `./` and leading `/`, folds `//` and `.`, drops a
 * trailing `/`. Returns null for the root itself and 'escapes' when a `..` leaves the root.
 */
export function normalizeEntryPath(name: string): string | null | 'escapes' {
  const parts: string[] = [];
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') return 'escapes';
    parts.push(part);
  }
  return parts.length === 0 ? null : '/' + parts.join('/');
}

export function parentOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash <= 0 ? '/' : path.slice(0, slash);
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

export function joinPath(dir: string, name: string): string {
  return dir === '/' ? `/${name}` : `${dir}/${name}`;
}

export type WhiteoutKind =
  | { kind: 'none' }
  | { kind: 'whiteout'; target: string }
  | { kind: 'opaque'; dir: string }
  /** Other `.wh..wh.` names and what lies under them (AUFS metadata such as `.wh..wh.plnk/`): ignored, as moby does. */
  | { kind: 'meta' }
  | { kind: 'invalid' };

const NOT_A_WHITEOUT: WhiteoutKind = { kind: 'none' };

export function classifyWhiteout(path: string): WhiteoutKind {
  if (!path.includes(WHITEOUT_PREFIX)) return NOT_A_WHITEOUT;
  const parts = path.split('/');
  const base = parts[parts.length - 1] ?? '';
  for (let i = 1; i < parts.length - 1; i++) {
    if (parts[i]!.startsWith(META_PREFIX)) return { kind: 'meta' };
  }
  if (!base.startsWith(WHITEOUT_PREFIX)) return NOT_A_WHITEOUT;
  if (base === OPAQUE_MARKER) return { kind: 'opaque', dir: parentOf(path) };
  if (base.startsWith(META_PREFIX)) return { kind: 'meta' };
  const name = base.slice(WHITEOUT_PREFIX.length);
  if (name === '' || name === '.' || name === '..') return { kind: 'invalid' };
  return { kind: 'whiteout', target: joinPath(parentOf(path), name) };
}
