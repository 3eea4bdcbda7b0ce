// The script a layer worker runs (built as out/main/layer-worker.js): reads the compressed layers
// it is given, one at a time, and answers each with its index packed in two flat blocks.
import { parentPort } from 'node:worker_threads';
import { FileSource } from '../io/byte-source';
import { StrataError } from '../errors';
import { LIMITS } from '../limits';
import { WORKER_READY, type LayerAnswer, type LayerJob } from './layer-workers';
import { LayerIndexBuilder } from './index-builder';
import type { PackedIndex } from './packed-index';
import { readLayerInto } from './read-layer';

const port = parentPort!;

async function answer(job: LayerJob): Promise<LayerAnswer> {
  Object.assign(LIMITS, job.limits);
  const source = await FileSource.open(job.path, { name: job.name }).catch((err: Error) => {
    throw new StrataError('bad-archive', `${job.name}: could not be opened again (${err.message})`);
  });
  try {
    if (source.identity !== job.identity) {
      throw new StrataError(
        'bad-archive',
        `${job.name}: the file changed while being read (it was written again or replaced)`,
      );
    }
    const blob = { source, offset: job.offset, length: job.length, digest: job.digest };
    // Written packed as the entries come: no object per entry on this thread.
    const builder = new LayerIndexBuilder(job.diffId, job.compression, job.label, true);
    const verified = await readLayerInto(builder, blob, job.compression, job.label, source.fd);
    return { id: job.id, packed: builder.finishPacked(), verified };
  } finally {
    await source.close();
  }
}

/** The packed index's blocks that own their memory, handed over rather than copied. */
function ownBuffers({ strings, digests, numbers }: PackedIndex): ArrayBuffer[] {
  return [strings, digests, numbers].flatMap((view) =>
    view.byteOffset === 0 &&
    view.byteLength === view.buffer.byteLength &&
    view.buffer instanceof ArrayBuffer
      ? [view.buffer]
      : [],
  );
}

port.on('message', (job: LayerJob) => {
  answer(job).then(
    (done) => port.postMessage(done, 'packed' in done ? ownBuffers(done.packed) : []),
    (err: Error) =>
      port.postMessage({
        id: job.id,
        error: { code: err instanceof StrataError ? err.code : null, message: err.message },
      } satisfies LayerAnswer),
  );
});
port.postMessage(WORKER_READY);
