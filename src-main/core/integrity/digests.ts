// Content digests checked where the bytes are read anyway: a layer blob as it streams from the
// archive (before decompression), the config and the manifests when they are read whole. A
// mismatch does not stop the read; it becomes a warning that names both digests.
import { createHash, type Hash } from 'node:crypto';

const DIGEST = /^(sha256:[0-9a-f]{64}|sha512:[0-9a-f]{128})$/;
/** `blobs/sha256/<hex>` (OCI layouts, Docker 25+) or `<hex>.json` (a legacy docker save config). */
const BLOB_NAME = /^blobs\/(sha256|sha512)\/([0-9a-f]+)$/;
const CONFIG_NAME = /^([0-9a-f]{64})\.json$/;

export function isDigest(value: string): boolean {
  return DIGEST.test(value);
}

/** The digest an archive member's name declares (content-addressed names), or null. */
export function digestNamedBy(member: string): string | null {
  const blob = BLOB_NAME.exec(member);
  const named = blob ? `${blob[1]}:${blob[2]}` : CONFIG_NAME.exec(member)?.[1];
  if (!named) return null;
  const digest = named.includes(':') ? named : `sha256:${named}`;
  return isDigest(digest) ? digest : null;
}

/** `sha512` for a sha512 digest or the name itself, else `sha256`. */
function algorithmOf(digestOrName: string): 'sha256' | 'sha512' {
  return digestOrName.startsWith('sha512') ? 'sha512' : 'sha256';
}

/** The digest of `bytes` in the algorithm of `like` (a digest, or `sha256` / `sha512`). */
export function digestOf(bytes: Buffer, like: string): string {
  const algorithm = algorithmOf(like);
  return `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`;
}

/**
 * A mismatch as warnings word it: `what` (its stored blob, the config ...) does not match the
 * digest that `namedBy` (the manifest, the index, its name) gives it.
 */
export function blobMismatch(
  what: string,
  expected: string,
  actual: string,
  namedBy: string,
): string {
  return `${what} does not match the digest ${expected} that ${namedBy} gives it (its bytes hash to ${actual}): the archive was changed or damaged`;
}

/**
 * Layer indexes whose bytes did not match a digest. They are not cached: cached indexes are keyed
 * by diff ID and would speak for every other copy of the layer.
 */
const unverified = new WeakSet<object>();

export function markUnverified<T extends object>(index: T): T {
  unverified.add(index);
  return index;
}

export function isVerified(index: object): boolean {
  return !unverified.has(index);
}

/**
 * Hashes a blob's stored bytes as they stream past (`update` with each piece). After the last,
 * `mismatch()` says whether they matched.
 */
export class StreamDigest {
  private readonly hash: Hash;

  constructor(readonly expected: string) {
    this.hash = createHash(algorithmOf(expected));
  }

  update(piece: Buffer): void {
    this.hash.update(piece);
  }

  /** The actual digest when it differs from the expected one, else null. Call once, at the end. */
  mismatch(): string | null {
    const actual = `${algorithmOf(this.expected)}:${this.hash.digest('hex')}`;
    return actual === this.expected ? null : actual;
  }
}
