// Archives the browser sends to `POST /api/upload?name=...`: streamed to a file of their own in
// the upload folder (never buffered), kept while the service holds the image open (it reads file
// contents later by offset), deleted when the image closes, the open fails or the server stops.
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { StrataError } from '../core/errors';

/** What a name from the browser becomes on disk: a plain file name, nothing more. */
export function safeFileName(name: string | null): string {
  const base = (name ?? '').split(/[/\\]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const clean = base.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  if (clean === '' || clean === '.' || clean === '..') return 'upload';
  return clean.length > 200 ? clean.slice(0, 200) : clean;
}

function capBytes(limit: number, label: string): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      if (seen > limit) {
        done(
          new StrataError('limit', `${label} is larger than the upload limit of ${limit} bytes.`),
        );
      } else {
        done(null, chunk);
      }
    },
  });
}

export class UploadStore {
  /** Upload folder per open image handle. */
  private readonly byHandle = new Map<string, string>();
  private readonly pending = new Set<string>();

  constructor(
    private readonly dir: string,
    private readonly maxBytes: number,
  ) {}

  /** Streams `body` to `<dir>/<random>/<name>` and returns the file's path. */
  async receive(body: Readable, name: string): Promise<string> {
    const folder = await mkdtemp(join(this.dir, 'upload-'));
    this.pending.add(folder);
    const path = join(folder, name);
    try {
      await pipeline(body, capBytes(this.maxBytes, name), createWriteStream(path, { flags: 'wx' }));
      return path;
    } catch (err) {
      await this.discardFolder(folder);
      throw err;
    }
  }

  /** The service opened `path` as `handle`: keep the file until that handle closes. */
  keep(path: string, handle: string): void {
    const folder = dirname(path);
    this.pending.delete(folder);
    this.byHandle.set(handle, folder);
  }

  /** Deletes an uploaded file the service could not open. */
  async discard(path: string): Promise<void> {
    await this.discardFolder(dirname(path));
  }

  /** Deletes the upload behind a handle, if it was one. */
  async release(handle: string): Promise<void> {
    const folder = this.byHandle.get(handle);
    if (folder === undefined) return;
    this.byHandle.delete(handle);
    await rm(folder, { recursive: true, force: true });
  }

  /** Deletes every upload (the server is stopping). */
  async releaseAll(): Promise<void> {
    const folders = [...this.byHandle.values(), ...this.pending];
    this.byHandle.clear();
    this.pending.clear();
    await Promise.all(folders.map((f) => rm(f, { recursive: true, force: true })));
  }

  private async discardFolder(folder: string): Promise<void> {
    this.pending.delete(folder);
    await rm(folder, { recursive: true, force: true });
  }
}
