import type { Readable } from 'node:stream';

/**
 * A readable's chunks as they come, without copying: a stream's own async iterator reads all it
 * has buffered as one new buffer (a copy of every byte once the consumer falls behind), which
 * for a gigabyte export or layer is a gigabyte copied and allocated again. The stream pauses
 * while `highWater` bytes wait. An early exit destroys the stream, as its own iterator does.
 */
export async function* chunksOf(
  stream: Readable,
  highWater = 4 * 1024 * 1024,
): AsyncGenerator<Buffer, void, undefined> {
  let queue: Buffer[] = [];
  let next = 0;
  let queued = 0;
  // Set by the listeners: an object, so that the loop below reads their latest values.
  const state: { ended: boolean; failure: { error: unknown } | null } = {
    ended: false,
    failure: null,
  };
  let wake: (() => void) | null = null;
  const notify = (): void => {
    const resolve = wake;
    wake = null;
    resolve?.();
  };
  const onData = (chunk: Buffer): void => {
    queue.push(chunk);
    queued += chunk.length;
    if (queued >= highWater) stream.pause();
    notify();
  };
  const onEnd = (): void => {
    state.ended = true;
    notify();
  };
  const onError = (error: unknown): void => {
    state.failure ??= { error };
    notify();
  };
  const onClose = (): void => {
    if (!state.ended)
      state.failure ??= {
        error: Object.assign(new Error('Premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }),
      };
    notify();
  };
  // A stream that failed or closed before it was handed here sends no more events.
  if (stream.errored) state.failure = { error: stream.errored };
  else if (stream.destroyed && !stream.readableEnded) onClose();
  stream.on('data', onData);
  stream.on('end', onEnd);
  stream.on('error', onError);
  stream.on('close', onClose);
  try {
    for (;;) {
      while (next < queue.length) {
        const chunk = queue[next++]!;
        queued -= chunk.length;
        if (queued < highWater && stream.isPaused()) stream.resume();
        yield chunk;
      }
      queue = [];
      next = 0;
      if (state.failure) throw state.failure.error;
      if (state.ended) return;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    stream.off('data', onData);
    stream.off('end', onEnd);
    stream.off('error', onError);
    stream.off('close', onClose);
    if (!state.ended) stream.destroy();
  }
}
