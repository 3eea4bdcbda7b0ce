import { createReadStream, readSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { StrataError } from '../errors';

/** Random access to bytes: a file on disk, or a region of one. */
export interface ByteSource {
  /** What a person would call it in an error message (usually a path). */
  readonly name: string;
  readonly size: number;
  /** Reads exactly `length` bytes at `position`, or fails naming the source. */
  read(position: number, length: number): Promise<Buffer>;
  /** Streams bytes [start, end). */
  stream(start: number, end: number): Readable;
  /**
   * Copies bytes [position, position + length) into `target` (from its start) without waiting:
   * for a reader that walks a file in windows of its own and reuses one buffer for all of them.
   * Optional: sources without it are read with `read`.
   */
  readInto?(target: Buffer, position: number, length: number): void;
  close(): Promise<void>;
}

const WINDOW = 256 * 1024;

/** Reads `length` bytes at `position` into `into`; fewer only where the file ends. */
export async function readFully(
  handle: FileHandle,
  into: Buffer,
  length: number,
  position: number,
): Promise<number> {
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await handle.read(into, filled, length - filled, position + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return filled;
}

/** A file as it is now: a file written again has another size or modification time. */
export function fileIdentity(stat: Stats): string {
  return `${stat.dev}:${stat.ino}:${stat.size}:${stat.mtimeMs}`;
}

/**
 * A file read with positioned reads through one read-ahead window, so that walking the headers
 * of many small tar entries costs one syscall per window rather than one per header.
 */
export class FileSource implements ByteSource {
  private windowStart = 0;
  private window: Buffer = Buffer.alloc(0);

  private constructor(
    readonly name: string,
    /** The file on disk (`name` is what errors call it: a spool file is named for its archive). */
    readonly path: string,
    private readonly handle: FileHandle,
    readonly size: number,
    /** Which file this is, as it was when opened (fileIdentity). */
    readonly identity: string,
    private readonly onClose?: () => Promise<void>,
  ) {}

  /** `onClose` runs after the file is closed (a spool file removes itself). */
  static async open(
    path: string,
    options: { name?: string; onClose?: () => Promise<void> } = {},
  ): Promise<FileSource> {
    const handle = await open(path, 'r');
    try {
      const stat = await handle.stat();
      if (stat.isDirectory()) {
        throw new StrataError('bad-request', `${path}: is a directory, not an archive file`);
      }
      return new FileSource(
        options.name ?? path,
        path,
        handle,
        stat.size,
        fileIdentity(stat),
        options.onClose,
      );
    } catch (err) {
      await handle.close();
      throw err;
    }
  }

  /** The open file's descriptor, for synchronous reads on the thread that opened it. */
  get fd(): number {
    return this.handle.fd;
  }

  async read(position: number, length: number): Promise<Buffer> {
    if (position < 0 || length < 0 || position + length > this.size) {
      throw new StrataError(
        'bad-archive',
        `${this.name}: the archive is truncated (needed bytes ${position}..${position + length}, the file has ${this.size})`,
      );
    }
    const end = position + length;
    if (position >= this.windowStart && end <= this.windowStart + this.window.length) {
      return this.window.subarray(position - this.windowStart, end - this.windowStart);
    }
    if (length > WINDOW) return this.readExact(position, length);
    this.window = await this.readExact(position, Math.min(WINDOW, this.size - position));
    this.windowStart = position;
    return this.window.subarray(0, length);
  }

  private async readExact(position: number, length: number): Promise<Buffer> {
    const buffer = Buffer.allocUnsafe(length);
    if ((await readFully(this.handle, buffer, length, position)) < length) {
      throw new StrataError(
        'bad-archive',
        `${this.name}: the file ended early (it changed while being read?)`,
      );
    }
    return buffer;
  }

  readInto(target: Buffer, position: number, length: number): void {
    if (position < 0 || length < 0 || position + length > this.size || length > target.length) {
      throw new StrataError(
        'bad-archive',
        `${this.name}: the archive is truncated (needed bytes ${position}..${position + length}, the file has ${this.size})`,
      );
    }
    let filled = 0;
    while (filled < length) {
      // A positioned read of a file in the page cache: a copy, shorter than decoding what it holds.
      const bytesRead = readSync(
        this.handle.fd,
        target,
        filled,
        length - filled,
        position + filled,
      );
      if (bytesRead === 0) {
        throw new StrataError(
          'bad-archive',
          `${this.name}: the file ended early (it changed while being read?)`,
        );
      }
      filled += bytesRead;
    }
  }

  stream(start: number, end: number): Readable {
    return createReadStream(this.path, { start, end: end - 1, highWaterMark: 1024 * 1024 });
  }

  async close(): Promise<void> {
    await this.handle.close();
    await this.onClose?.();
  }
}
