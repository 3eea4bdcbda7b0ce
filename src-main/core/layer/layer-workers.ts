// Compressed layers read on worker threads, one layer per worker at a time: inflating, hashing
// and parsing a layer then use every core, and the thread that serves requests stays free. The
// entry points say where the worker's script lies (it is a build output); without one, for a
// small blob or a small image, or a blob that is no file on disk, layers are read on the calling
// thread.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { FileSource } from '../io/byte-source';
import type { Compression } from '../io/decompress';
import { StrataError, type StrataErrorCode } from '../errors';
import { markUnverified } from '../integrity/digests';
import { LIMITS, type LimitName } from '../limits';
import type { LayerIndex } from './layer-index';
import { indexStore } from './index-store';
import { keepPackedForm, unpackIndex, type PackedIndex } from './packed-index';
import type { LayerBlob } from './read-layer';

/** One layer to read: the blob's file is opened again by the worker, and must be the same file. */
export interface LayerJob {
  id: number;
  path: string;
  /** The source's fileIdentity when the archive was opened. */
  identity: string;
  /** What errors call the file. */
  name: string;
  offset: number;
  length: number;
  digest: string | null;
  compression: Exclude<Compression, 'none'>;
  diffId: string;
  label: string;
  limits: Record<LimitName, number>;
}

export type LayerAnswer =
  | { id: number; packed: PackedIndex; verified: boolean }
  | { id: number; error: { code: StrataErrorCode | null; message: string } };

/** The worker's first message, once its script has loaded. */
export const WORKER_READY = 'ready';

interface Settings {
  /** The built worker script; null reads every layer on the calling thread. */
  script: URL | null;
  /**
   * Blobs smaller than this are read on the calling thread (a worker takes about 0.1 s to start),
   * and so are all the layers of an open that reads fewer than IMAGE_BYTES_PER_MIN times this.
   */
  minBytes: number;
  /** How long workers that all wait are kept. */
  idleMs: number;
  /** How many workers at most (default: one per core, 2 to 4). */
  workers: number;
  /** Told once why the script did not load, when every layer goes back to the calling thread. */
  onUnavailable: ((reason: string) => void) | null;
}

/**
 * An open reading fewer compressed bytes than this many times `minBytes` reads them all here: a
 * worker's start (85 ms on Node 20 here, 60 of them Node's own) and the index's way back cost
 * more than 16 MB take on one thread, and a layer of many small files compressed into few bytes
 * is read faster here even alone (100k files in 2.4 MB: 1.45 against 1.70 s).
 */
const IMAGE_BYTES_PER_MIN = 16;

/** STRATA_LAYER_WORKER_MIN_BYTES=0 sends every compressed layer to a worker (the tests do). */
function minBytesFromEnv(): number {
  const value = Number(process.env['STRATA_LAYER_WORKER_MIN_BYTES'] ?? NaN);
  return Number.isSafeInteger(value) && value >= 0 ? value : 1024 * 1024;
}

const settings: Settings = {
  script: null,
  minBytes: minBytesFromEnv(),
  idleMs: 3000,
  workers: Math.min(4, Math.max(2, availableParallelism())),
  onUnavailable: null,
};
const idle: Worker[] = [];
/**
 * Reads waiting for a worker: an image's base layer gets the next one free (nothing of the image
 * can be stacked before it), then the one with the most work.
 */
const waiting: { work: number; base: boolean; give: (worker: Worker | null) => void }[] = [];
let started = 0;
let idleTimer: NodeJS.Timeout | undefined;
let nextId = 1;
let reads = 0;

/** Which script each worker runs: a worker of another script than the current one is let go. */
const scriptOf = new WeakMap<Worker, URL>();

export function useLayerWorkers(options: Partial<Settings>): void {
  Object.assign(settings, options);
  void stopLayerWorkers(true);
}

/** How many workers run now, busy or waiting. */
export function layerWorkersRunning(): number {
  return started;
}

/** How many layers workers have read in this process. */
export function layersReadOnWorkers(): number {
  return reads;
}

/**
 * Stops the idle workers (the busy ones end with their layer); the next read starts new ones.
 * `outdated`: only those of another script than the current one.
 */
export async function stopLayerWorkers(outdated = false): Promise<void> {
  const stopping = idle.filter((worker) => !outdated || !isCurrent(worker));
  idle.splice(0, idle.length, ...idle.filter((worker) => !stopping.includes(worker)));
  started -= stopping.length;
  await Promise.all(stopping.map((worker) => worker.terminate()));
}

const isCurrent = (worker: Worker): boolean => scriptOf.get(worker)?.href === settings.script?.href;

/**
 * About how much work reading a layer blob is, in bytes: the bytes it holds once decompressed
 * (a gzip stream's last 4 bytes give its last member's length modulo 4 GiB; otherwise the stored
 * size), weighed by how well they compress. Inflating costs by the byte out, hashing by the byte
 * in and out, and a layer that compresses well is mostly small files, each with its entry and its
 * hash: the benchmark image's layers of 260 MB took 0.75 s stored nearly as is and 1.65 s
 * compressed 6.5 to 1 (80k files).
 */
async function layerWork(blob: LayerBlob, compression: Compression): Promise<number> {
  if (compression !== 'gzip' || blob.length < 18) return blob.length;
  const tail = await blob.source.read(blob.offset + blob.length - 4, 4);
  const expanded = Math.max(blob.length, tail.readUInt32LE(0));
  return expanded * (1 + expanded / blob.length / 4);
}

export interface WorkerReadOptions {
  /** Called once the layer waits for a worker, which leaves the calling thread free meanwhile. */
  onQueued?: () => void;
  /** The image's base layer, which goes to a worker before the others waiting. */
  base?: boolean;
  /** The compressed bytes the open this read belongs to reads in all, when it reads several. */
  openBytes?: number;
}

/** The index of a compressed layer read on a worker, or null when it is to be read here. */
export async function readLayerOnWorker(
  blob: LayerBlob,
  compression: Exclude<Compression, 'none'>,
  diffId: string,
  label: string,
  options: WorkerReadOptions = {},
): Promise<LayerIndex | null> {
  const read = await readPackedOnWorker(blob, compression, diffId, label, options);
  if (!read) return null;
  const index = unpackIndex(read.packed);
  if (!read.verified) return markUnverified(index);
  if (indexStore()) keepPackedForm(index, read.packed);
  return index;
}

/**
 * A compressed layer's index read on a worker, in the packed form it comes in, and whether its
 * digests matched; null when it is to be read here.
 */
export async function readPackedOnWorker(
  blob: LayerBlob,
  compression: Exclude<Compression, 'none'>,
  diffId: string,
  label: string,
  { onQueued, base = false, openBytes = blob.length }: WorkerReadOptions = {},
): Promise<{ packed: PackedIndex; verified: boolean } | null> {
  const { source } = blob;
  const { script, minBytes } = settings;
  if (!script || blob.length < minBytes || !(source instanceof FileSource)) return null;
  if (openBytes < minBytes * IMAGE_BYTES_PER_MIN) return null;
  const taken = take(script, await layerWork(blob, compression), base);
  onQueued?.();
  const worker = await taken;
  if (!worker) return null;
  const job: LayerJob = {
    id: nextId++,
    path: source.path,
    identity: source.identity,
    name: source.name,
    offset: blob.offset,
    length: blob.length,
    digest: blob.digest ?? null,
    compression,
    diffId,
    label,
    limits: { ...LIMITS },
  };
  let answer: LayerAnswer;
  try {
    answer = await ask(worker, job);
  } catch (err) {
    started--;
    void worker.terminate();
    grow();
    throw new StrataError(
      'bad-archive',
      `${label}: the thread reading it failed (${(err as Error).message})`,
    );
  }
  give(worker);
  if ('error' in answer) {
    const { code, message } = answer.error;
    if (code) throw new StrataError(code, message);
    throw new Error(message);
  }
  reads++;
  return { packed: answer.packed, verified: answer.verified };
}

function ask(worker: Worker, job: LayerJob): Promise<LayerAnswer> {
  worker.ref();
  return new Promise((resolve, reject) => {
    const done = (): void => {
      worker.off('message', onMessage).off('error', onError).off('exit', onExit);
      worker.unref();
    };
    const onMessage = (answer: LayerAnswer): void => {
      if (answer.id !== job.id) return;
      done();
      resolve(answer);
    };
    const onError = (err: Error): void => {
      done();
      reject(err);
    };
    const onExit = (code: number): void => {
      done();
      reject(new Error(`it stopped with exit code ${code}`));
    };
    worker.on('message', onMessage).on('error', onError).on('exit', onExit);
    worker.postMessage(job);
  });
}

/**
 * A worker for a layer of about `work` (layerWork): workers go to a base layer waiting, else to
 * the layer with the most work, as each one is free or started, so the last to start is a small
 * one, not a large one left to run alone at the end. Null when no worker can start.
 */
function take(script: URL, work: number, base: boolean): Promise<Worker | null> {
  clearTimeout(idleTimer);
  const taken = new Promise<Worker | null>((give) => waiting.push({ work, base, give }));
  const worker = idle.pop();
  if (worker) give(worker);
  else grow(script);
  return taken;
}

/** Starts a worker for the reads waiting, while the pool has room. */
function grow(script = settings.script): void {
  if (!waiting.length || started >= settings.workers) return;
  if (!script) {
    for (const waiter of waiting.splice(0)) waiter.give(null);
    return;
  }
  started++;
  void start(script).then((fresh) => {
    if (typeof fresh !== 'string') return give(fresh);
    started--;
    // A script that does not load here (a broken install, a packaging that cannot hold it):
    // every layer is read on this thread instead, and the entry point is told why.
    if (settings.script === script) {
      settings.script = null;
      settings.onUnavailable?.(`the layer worker ${script.href} did not start (${fresh})`);
    }
    for (const waiter of waiting.splice(0)) waiter.give(null);
  });
}

/** A worker whose script has loaded, or why it did not. */
function start(script: URL): Promise<Worker | string> {
  return new Promise((resolve) => {
    const worker = new Worker(script);
    scriptOf.set(worker, script);
    const onMessage = (message: unknown): void => {
      if (message !== WORKER_READY) return;
      worker.off('error', onFailure).off('exit', onFailure).off('message', onMessage);
      worker.unref();
      // A worker that fails while it waits leaves the pool (a busy one fails its layer: ask()).
      worker.on('error', () => {});
      worker.once('exit', () => {
        const at = idle.indexOf(worker);
        if (at < 0) return;
        idle.splice(at, 1);
        started--;
      });
      resolve(worker);
    };
    const onFailure = (failure: Error | number): void => {
      worker.off('error', onFailure).off('exit', onFailure).off('message', onMessage);
      void worker.terminate();
      resolve(typeof failure === 'number' ? `it exited with code ${failure}` : failure.message);
    };
    worker.on('message', onMessage).on('error', onFailure).on('exit', onFailure);
  });
}

function give(worker: Worker): void {
  if (!isCurrent(worker)) {
    started--;
    void worker.terminate();
    grow();
    return;
  }
  if (waiting.length) {
    const first = (a: (typeof waiting)[number], b: (typeof waiting)[number]): boolean =>
      a.base !== b.base ? a.base : a.work > b.work;
    let chosen = 0;
    for (let i = 1; i < waiting.length; i++) if (first(waiting[i]!, waiting[chosen]!)) chosen = i;
    return waiting.splice(chosen, 1)[0]!.give(worker);
  }
  idle.push(worker);
  // A worker's heap keeps what its last layer left until it is collected: workers that all
  // wait are let go, and the next open starts new ones.
  if (idle.length === started)
    idleTimer = setTimeout(() => void stopLayerWorkers(), settings.idleMs).unref();
}
