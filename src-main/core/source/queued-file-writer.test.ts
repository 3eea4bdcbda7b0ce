// The export cache's writer on a real file: every byte lands in order whatever the chunk sizes,
// the caller waits only past the high-water mark, and a failing file fails the next call
// instead of surfacing as an unhandled rejection.
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs, tempDir } from '../../../e2e/engine/temp-dirs';
import { QueuedFileWriter } from './queued-file-writer';

afterAll(() => removeTempDirs());

const small = { highWater: 64 * 1024, gather: 8 * 1024, syncEvery: 100 * 1024 };

describe('QueuedFileWriter', () => {
  it('writes every chunk in order, gathered, synced along the way', async () => {
    const path = join(tempDir('strata-writer-'), 'out');
    const handle = await open(path, 'w');
    const writer = new QueuedFileWriter(handle, small);
    const chunks: Buffer[] = [];
    // Sizes from empty to several times the bounds, 2 MiB in all: every path through the queue.
    for (let i = 0; chunks.reduce((n, c) => n + c.length, 0) < 2 * 1024 * 1024; i++)
      chunks.push(randomBytes([0, 1, 511, 4096, 8193, 70_000, 200_000][i % 7]!));
    for (const chunk of chunks) await writer.write(chunk);
    await writer.flush();
    await handle.close();
    expect(readFileSync(path).equals(Buffer.concat(chunks))).toBe(true);
  });

  it('lets its caller on at once below the high-water mark, and waits past it', async () => {
    const path = join(tempDir('strata-writer-'), 'out');
    const handle = await open(path, 'w');
    const writer = new QueuedFileWriter(handle, small);
    let settled = false;
    void writer.write(Buffer.alloc(1000)).then(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(true);
    settled = false;
    const waiting = writer.write(Buffer.alloc(small.highWater)).then(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(false);
    await waiting;
    await writer.flush();
    await handle.close();
    expect(readFileSync(path).length).toBe(1000 + small.highWater);
  });

  it('reports a failing file on the next write or flush, never as an unhandled rejection', async () => {
    const path = join(tempDir('strata-writer-'), 'out');
    writeFileSync(path, '');
    const handle = await open(path, 'r'); // a read-only descriptor: every write fails (EBADF)
    const writer = new QueuedFileWriter(handle, small);
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      await writer.write(Buffer.alloc(small.gather)); // queued, then the write fails behind it
      await expect(writer.flush()).rejects.toThrow(/EBADF/);
      await expect(writer.write(Buffer.alloc(10))).rejects.toThrow(/EBADF/);
      await writer.abandon();
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      await handle.close();
    }
  });
});
