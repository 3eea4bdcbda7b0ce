// Writes a stream's chunks to a file behind its reader: chunks queue and go out in large
// gathered writes on libuv's threads, so reading, parsing and writing an export overlap instead
// of taking turns per 32 KiB chunk. Written data is flushed to disk as it goes, so the final
// fsync has only the tail left to wait for.
import type { FileHandle } from 'node:fs/promises';
import { writeGathered } from '../io/gathered-write';

export interface QueueBounds {
  /** How much may wait in memory before `write` makes its caller wait. */
  highWater: number;
  /** Chunks are gathered into one write once this much is queued (or when draining). */
  gather: number;
  /** Written bytes between two background flushes to disk. */
  syncEvery: number;
}

const BOUNDS: QueueBounds = {
  highWater: 32 * 1024 * 1024,
  gather: 1024 * 1024,
  syncEvery: 64 * 1024 * 1024,
};

export class QueuedFileWriter {
  private queue: Buffer[] = [];
  private queued = 0;
  /** Bytes of the write in progress. */
  private inFlight = 0;
  private writing: Promise<void> | null = null;
  private syncing: Promise<void> = Promise.resolve();
  private sinceSync = 0;
  private failure: unknown = null;
  private drained: (() => void) | null = null;

  constructor(
    private readonly handle: FileHandle,
    private readonly bounds: QueueBounds = BOUNDS,
    /** Told of each chunk once it is in the file, when its memory may be used again. */
    private readonly onWritten: (chunk: Buffer) => void = () => {},
  ) {}

  /** Queues `chunk` (kept, not copied); waits only while too much is queued. */
  async write(chunk: Buffer): Promise<void> {
    if (this.failure) throw this.failure;
    if (chunk.length === 0) return;
    this.queue.push(chunk);
    this.queued += chunk.length;
    if (this.queued >= this.bounds.gather) this.pump();
    if (this.queued + this.inFlight >= this.bounds.highWater) {
      await new Promise<void>((resolve) => (this.drained = resolve));
      if (this.failure) throw this.failure;
    }
  }

  /** Writes everything queued (readable in the file, perhaps not yet on disk). */
  async drain(): Promise<void> {
    while ((this.queued > 0 || this.writing) && !this.failure) {
      this.pump();
      await this.writing;
    }
    if (this.failure) throw this.failure;
  }

  /** Writes everything queued and waits until it is on disk. */
  async flush(): Promise<void> {
    await this.drain();
    await this.syncing;
    if (this.failure) throw this.failure;
    await this.handle.sync();
  }

  /** Waits for the write in progress, if any, and drops the rest (before closing after a failure). */
  async abandon(): Promise<void> {
    this.queue = [];
    this.queued = 0;
    await this.writing;
    await this.syncing;
  }

  private pump(): void {
    if (this.writing || this.queued === 0 || this.failure) return;
    const chunks = this.queue;
    const bytes = this.queued;
    this.queue = [];
    this.queued = 0;
    this.inFlight = bytes;
    this.writing = writeGathered(this.handle, chunks).then(
      () => {
        this.writing = null;
        this.inFlight = 0;
        for (const chunk of chunks) this.onWritten(chunk);
        this.sinceSync += bytes;
        if (this.sinceSync >= this.bounds.syncEvery) {
          this.sinceSync = 0;
          this.syncing = this.syncing.then(() => this.handle.datasync()).catch(this.fail);
        }
        if (this.queued >= this.bounds.gather) this.pump();
        if (this.queued + this.inFlight < this.bounds.highWater) this.wake();
      },
      (err: unknown) => {
        this.writing = null;
        this.inFlight = 0;
        this.fail(err);
      },
    );
  }

  private readonly fail = (err: unknown): void => {
    this.failure ??= err;
    this.wake();
  };

  private wake(): void {
    const resolve = this.drained;
    this.drained = null;
    resolve?.();
  }
}
