// What an image carries that it should not: secrets (also in layers a later step deleted),
// credential files, .git directories, package caches, setuid binaries, world-writable files.

export type FindingKind =
  | 'private-key'
  | 'token'
  | 'credentials-file'
  | 'env-file'
  | 'git-directory'
  | 'package-cache'
  | 'setuid'
  | 'setgid'
  | 'world-writable';

export type Severity = 'high' | 'medium' | 'low' | 'info';

export interface Finding {
  kind: FindingKind;
  severity: Severity;
  path: string;
  /** The layer whose copy this is, and its step. */
  layer: number;
  command: string;
  /** A later layer that deleted or replaced the path while the image still stores this copy. */
  goneIn: number | null;
  /** Bytes stored (for a cache or a .git directory: everything under it in that layer). */
  bytes: number;
  /** What was found, secret values masked: `AKIA************WXYZ`. */
  detail: string;
}
