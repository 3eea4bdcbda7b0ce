// chunksOf on real streams: the chunks themselves (no concatenated copies) however slow the
// consumer, the producer paused at the high-water mark, errors and early exits as a stream's
// own iterator handles them.
import { randomBytes } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { chunksOf } from './stream-chunks';

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('chunksOf', () => {
  it('yields the very chunks written, in order, to a consumer slower than its producer', async () => {
    const stream = new PassThrough();
    const written = Array.from({ length: 200 }, (_, i) => randomBytes(1000 + i));
    for (const chunk of written) stream.write(chunk);
    stream.end();
    const got: Buffer[] = [];
    for await (const chunk of chunksOf(stream)) {
      got.push(chunk);
      await tick();
    }
    expect(got.length).toBe(written.length);
    got.forEach((chunk, i) => expect(chunk.equals(written[i]!)).toBe(true));
    // A stream's own iterator would have read everything buffered as one new buffer.
    let joined = 0;
    const again = new PassThrough();
    for (const chunk of written) again.write(chunk);
    again.end();
    for await (const chunk of again as AsyncIterable<Buffer>) joined += chunk.length > 1200 ? 1 : 0;
    expect(joined).toBeGreaterThan(0);
  });

  it('pauses its producer while a high-water mark of bytes waits', async () => {
    let produced = 0;
    const stream = new Readable({
      read() {
        produced += 1024;
        this.push(produced > 1024 * 1024 ? null : Buffer.alloc(1024));
      },
    });
    const iterator = chunksOf(stream, 64 * 1024);
    await iterator.next();
    for (let i = 0; i < 20; i++) await tick();
    // Paused at the mark (plus what the stream itself buffers), not read to the end.
    expect(stream.isPaused()).toBe(true);
    expect(produced).toBeLessThan(256 * 1024);
    let total = 1024;
    for await (const chunk of { [Symbol.asyncIterator]: () => iterator }) total += chunk.length;
    expect(total).toBe(1024 * 1024);
  });

  it('throws the stream’s error, and a close before the end as a premature close', async () => {
    const failing = new PassThrough();
    failing.write(Buffer.from('some'));
    setImmediate(() => failing.destroy(new Error('engine went away')));
    await expect(drain(failing)).rejects.toThrow('engine went away');
    const closed = new PassThrough();
    closed.write(Buffer.from('some'));
    setImmediate(() => closed.destroy());
    await expect(drain(closed)).rejects.toThrow(/Premature close/);
  });

  it('destroys the stream when its consumer stops early', async () => {
    const stream = new PassThrough();
    stream.write(Buffer.from('one'));
    stream.write(Buffer.from('two'));
    for await (const chunk of chunksOf(stream)) {
      expect(chunk.toString()).toBe('one');
      break;
    }
    expect(stream.destroyed).toBe(true);
  });

  it('fails at once for a stream that failed or closed before it was handed over', async () => {
    const failed = new PassThrough();
    failed.on('error', () => {});
    failed.destroy(new Error('bad chunk size'));
    await tick();
    const read = async (stream: Readable): Promise<unknown> => {
      try {
        for await (const chunk of chunksOf(stream)) void chunk;
      } catch (err) {
        return err;
      }
      return null;
    };
    expect(await read(failed)).toMatchObject({ message: 'bad chunk size' });
    const closed = new PassThrough();
    closed.destroy();
    await tick();
    expect(await read(closed)).toMatchObject({ code: 'ERR_STREAM_PREMATURE_CLOSE' });
  });
});

async function drain(stream: Readable): Promise<number> {
  let bytes = 0;
  for await (const chunk of chunksOf(stream)) bytes += chunk.length;
  return bytes;
}
