export type StrataErrorCode =
  | 'bad-archive'
  | 'not-found'
  | 'bad-request'
  | 'unsupported'
  | 'limit'
  /** No engine answers at the address: not running, no socket, connection closed or timed out. */
  | 'engine-unavailable'
  /** The engine's socket refuses this user (docker group, rootless socket). */
  | 'engine-permission'
  /** The engine refuses the API version asked for. */
  | 'engine-version'
  /** The engine answered with an error, or stopped in the middle of an answer. */
  | 'engine-failed'
  /** The user cancelled the work. */
  | 'cancelled';

/**
 * The one error type the core throws for anything a user can cause: a bad archive, a missing
 * file, an unknown image. `message` is a complete sentence naming the file and the problem.
 */
export class StrataError extends Error {
  constructor(
    readonly code: StrataErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'StrataError';
  }
}

export function describeError(err: unknown): { code: string; message: string } {
  if (err instanceof StrataError) return { code: err.code, message: err.message };
  const e = err as NodeJS.ErrnoException | undefined;
  if (e && typeof e.code === 'string' && typeof e.message === 'string') {
    const path = (e as { path?: string }).path;
    if (e.code === 'ENOENT')
      return { code: 'not-found', message: `${path ?? 'file'}: no such file` };
    if (e.code === 'EACCES')
      return { code: 'not-found', message: `${path ?? 'file'}: permission denied` };
    if (e.code === 'EISDIR')
      return { code: 'bad-request', message: `${path ?? 'path'}: is a directory, not an archive` };
    return { code: 'internal', message: e.message };
  }
  return { code: 'internal', message: err instanceof Error ? err.message : String(err) };
}
