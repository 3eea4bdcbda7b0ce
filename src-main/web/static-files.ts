// Maps a URL path to a file inside the renderer's build folder, refusing anything that could
// leave it. Shared by the browser-mode server and Electron's app:// protocol.
import { extname, resolve, sep } from 'node:path';
import { realpath, stat } from 'node:fs/promises';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
};

export function contentTypeFor(path: string): string {
  return CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

export type StaticLookup =
  | {
      kind: 'file';
      path: string;
      size: number;
      contentType: string;
      isIndex: boolean;
      /** Named by its content's hash (the bundler's assets/NAME-HASH.EXT): it never changes. */
      isHashed: boolean;
    }
  | { kind: 'refused'; reason: string }
  | { kind: 'missing' };

/**
 * Splits a raw URL path (percent-encoded, without the query) into decoded segments, or null when
 * one is `.`/`..`, holds a slash, a backslash or a NUL once decoded, or cannot be decoded.
 */
export function safeSegments(rawPath: string): string[] | null {
  if (!rawPath.startsWith('/')) return null;
  const segments: string[] = [];
  for (const raw of rawPath.slice(1).split('/')) {
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return null;
    }
    if (segment === '.' || segment === '..' || /[/\\\0]/.test(segment)) return null;
    if (segment !== '') segments.push(segment);
  }
  return segments;
}

/** How Vite names what it writes under assets/: NAME-HASH.EXT, HASH 8 characters of base64url. */
const HASHED_ASSET = /^assets\/[^/]+-[A-Za-z0-9_-]{8}\.[a-z0-9]+$/;

function inside(root: string, path: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

/** Finds the file a URL path names under `rootDir`; `/` (and any directory) means its index.html. */
export async function lookupStatic(rootDir: string, rawPath: string): Promise<StaticLookup> {
  const segments = safeSegments(rawPath);
  if (segments === null) return { kind: 'refused', reason: 'Forbidden: bad path.' };
  const root = resolve(rootDir);
  let path = resolve(root, ...segments);
  if (!inside(root, path)) return { kind: 'refused', reason: 'Forbidden: bad path.' };
  try {
    let info = await stat(path);
    if (info.isDirectory()) {
      path = resolve(path, 'index.html');
      info = await stat(path);
    }
    if (!info.isFile()) return { kind: 'missing' };
    // A symlink inside the build folder must not lead out of it either.
    const [realRoot, realPath] = await Promise.all([realpath(root), realpath(path)]);
    if (!inside(realRoot, realPath)) return { kind: 'refused', reason: 'Forbidden: bad path.' };
    return {
      kind: 'file',
      path,
      size: info.size,
      contentType: contentTypeFor(path),
      isIndex: path === resolve(root, 'index.html'),
      isHashed: HASHED_ASSET.test(segments.join('/')),
    };
  } catch {
    return { kind: 'missing' };
  }
}
