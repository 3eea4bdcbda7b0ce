// Compares two regions of open files byte for byte on a worker thread. Proving that another
// image's copy of a layer holds the same bytes reads both copies (hundreds of MB); on the main
// thread each piece would wait for a turn of the event loop, which indexing the image's other
// layers (read synchronously, header by header) does not give, and the image would wait for the
// proof at the end. The worker reads through the descriptors the caller opened and checked.
import { Worker } from 'node:worker_threads';

export interface Region {
  fd: number;
  offset: number;
}

export interface RegionComparison {
  /** `short`: a file ended before the region did. */
  outcome: 'same' | 'differs' | 'short';
  /** The first bytes of each region (what they are compressed with), when the length is not 0. */
  heads: [Uint8Array, Uint8Array] | null;
}

// Plain JavaScript run as the worker's script: no module of ours, so it runs the same from the
// CLI's bundle, Electron's and the tests' sources.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { readSync } = require('node:fs');
const PIECE = 1024 * 1024;
const pieces = [Buffer.allocUnsafe(PIECE), Buffer.allocUnsafe(PIECE)];
function fill(fd, buffer, length, position) {
  let filled = 0;
  while (filled < length) {
    const read = readSync(fd, buffer, filled, length - filled, position + filled);
    if (read === 0) break;
    filled += read;
  }
  return filled;
}
parentPort.on('message', ({ id, a, b, length }) => {
  try {
    let heads = null;
    let outcome = 'same';
    for (let at = 0; at < length; at += PIECE) {
      const want = Math.min(PIECE, length - at);
      const x = fill(a.fd, pieces[0], want, a.offset + at);
      const y = fill(b.fd, pieces[1], want, b.offset + at);
      // Copies: the pieces are read into again.
      if (at === 0) heads = [new Uint8Array(pieces[0].subarray(0, Math.min(x, 8))), new Uint8Array(pieces[1].subarray(0, Math.min(y, 8)))];
      if (x !== want || y !== want) {
        outcome = 'short';
        break;
      }
      if (!pieces[0].subarray(0, want).equals(pieces[1].subarray(0, want))) {
        outcome = 'differs';
        break;
      }
    }
    parentPort.postMessage({ id, outcome, heads });
  } catch (err) {
    parentPort.postMessage({ id, error: String((err && err.message) || err) });
  }
});
`;

/** The worker stops after this long without a comparison (it holds two 1 MiB buffers). */
const IDLE_MS = 10_000;

interface Waiting {
  resolve: (result: RegionComparison) => void;
  reject: (err: Error) => void;
}

let worker: Worker | null = null;
let idle: ReturnType<typeof setTimeout> | undefined;
const waiting = new Map<number, Waiting>();
let nextId = 0;

function failAll(err: Error): void {
  for (const item of waiting.values()) item.reject(err);
  waiting.clear();
}

function comparer(): Worker {
  if (worker) return worker;
  const started = new Worker(WORKER_SOURCE, { eval: true });
  started.on('message', (message: { id: number; error?: string } & RegionComparison) => {
    const item = waiting.get(message.id);
    waiting.delete(message.id);
    if (message.error) item?.reject(new Error(message.error));
    else item?.resolve({ outcome: message.outcome, heads: message.heads });
    if (waiting.size === 0) settle(started);
  });
  started.on('error', (err) => {
    if (worker === started) worker = null;
    failAll(err);
  });
  started.on('exit', () => {
    if (worker === started) worker = null;
    failAll(new Error('the comparing thread stopped'));
  });
  return (worker = started);
}

/** Nothing waits on the worker: it does not keep the process alive, and stops when left idle. */
function settle(thread: Worker): void {
  thread.unref();
  clearTimeout(idle);
  idle = setTimeout(() => {
    if (worker === thread && waiting.size === 0) {
      worker = null;
      void thread.terminate();
    }
  }, IDLE_MS);
  idle.unref();
}

/** Compares `length` bytes at `a` and at `b`. The descriptors must stay open until it settles. */
export function compareRegions(a: Region, b: Region, length: number): Promise<RegionComparison> {
  const thread = comparer();
  thread.ref();
  clearTimeout(idle);
  const id = nextId++;
  return new Promise<RegionComparison>((resolve, reject) => {
    waiting.set(id, { resolve, reject });
    thread.postMessage({ id, a, b, length });
  });
}
