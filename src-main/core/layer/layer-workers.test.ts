// Compressed layers read on worker threads (the built script, out/main/layer-worker.js) must give
// the indexes, warnings and errors that reading them on this thread gives.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { fixturePaths } from '../../../e2e/fixtures';
import { StrataError } from '../errors';
import { loadImage } from '../image/load-image';
import { inspectArchive } from '../inspect';
import { isVerified } from '../integrity/digests';
import { FileSource } from '../io/byte-source';
import { MALFORMED_CASES, WARNING_CASES, wrongDiffIdArchive } from '../testing/malformed-cases';
import { packTar } from '../tar/pack-tar';
import { containerdLayout, tempArchive } from '../testing/layouts';
import {
  layersReadOnWorkers,
  layerWorkersRunning,
  stopLayerWorkers,
  useLayerWorkers,
} from './layer-workers';
import { LayerIndexCache } from './index-cache';
import { readLayer } from './read-layer';
import { useIndexStore } from './index-store';
import { packedFormOf, packIndex } from './packed-index';

const SCRIPT = new URL('../../../out/main/layer-worker.js', import.meta.url);

/** A worker script of a test's own, written to a folder of its own: its path. */
function workerScript(source: string): string {
  const script = join(mkdtempSync(join(tmpdir(), 'strata-worker-')), 'worker.mjs');
  writeFileSync(script, source);
  return script;
}

/** An OCI archive whose gzip layers each hold one file of `bodies`: its path. */
async function gzipImage(tag: string, bodies: Buffer[]): Promise<string> {
  const layers = await Promise.all(bodies.map((body, i) => packTar([{ name: `f${i}`, body }])));
  const config = JSON.stringify({
    architecture: 'amd64',
    os: 'linux',
    rootfs: {
      type: 'layers',
      diff_ids: layers.map((l) => `sha256:${createHash('sha256').update(l).digest('hex')}`),
    },
    history: layers.map(() => ({ created_by: 'RUN step' })),
  });
  return tempArchive(await containerdLayout({ tag, config, layers }, false));
}

const onWorkers = (): void => useLayerWorkers({ script: SCRIPT, minBytes: 0 });
const onThisThread = (): void => useLayerWorkers({ script: null });

/** What an image's layers read to, and whether each was verified. */
async function indexesOf(path: string) {
  const model = await loadImage(path, { store: null });
  await model.close();
  return model.indexes.map((index) => ({ ...index, verified: isVerified(index) }));
}

/** The error opening `path` fully gives, or 'ok'. */
async function outcome(path: string): Promise<{ code: string; message: string } | 'ok'> {
  try {
    await inspectArchive(path, { store: null });
    return 'ok';
  } catch (err) {
    if (!(err instanceof StrataError)) throw err;
    return { code: err.code, message: err.message };
  }
}

beforeAll(() => {
  if (!existsSync(fileURLToPath(SCRIPT)))
    throw new Error(`${fileURLToPath(SCRIPT)} is not built: run \`npm run build\` first`);
});
afterAll(async () => {
  onThisThread();
  await stopLayerWorkers();
});

describe('layers read on worker threads', () => {
  it('index the gzip and zstd layers of real OCI archives as this thread does', async () => {
    const { fixtures } = fixturePaths();
    for (const name of ['edge', 'secrets', 'compare-v1'] as const) {
      for (const form of ['ociGzip', 'ociZstd', 'archiveGz'] as const) {
        const path = fixtures[name][form];
        onThisThread();
        const here = await indexesOf(path);
        onWorkers();
        const before = layersReadOnWorkers();
        const there = await indexesOf(path);
        const compressed = here.filter((index) => index.compression !== 'none').length;
        expect(layersReadOnWorkers() - before, `${name} ${form}`).toBe(compressed);
        expect(there, `${name} ${form}`).toEqual(here);
      }
    }
    expect(layersReadOnWorkers()).toBeGreaterThan(10);
  });

  it('refuse each malformed archive with the error this thread gives', async () => {
    for (const c of MALFORMED_CASES) {
      const path = await c.build();
      onThisThread();
      const here = await outcome(path);
      onWorkers();
      expect(await outcome(path), c.name).toEqual(here);
    }
  });

  it('warn as this thread does, and leave a layer whose content lies about itself unverified', async () => {
    const cases = [
      ...WARNING_CASES.map((c) => c.build),
      async () => (await wrongDiffIdArchive()).path,
    ];
    for (const build of cases) {
      const path = await build();
      onThisThread();
      const here = await inspectArchive(path, { store: null });
      onWorkers();
      const there = await inspectArchive(path, { store: null });
      expect(there.warnings).toEqual(here.warnings);
    }
    onWorkers();
    const { path, layer } = await wrongDiffIdArchive();
    const before = layersReadOnWorkers();
    expect((await indexesOf(path))[layer]).toMatchObject({ compression: 'gzip', verified: false });
    expect(layersReadOnWorkers()).toBe(before + 1);
  });

  it('keep the packed form a worker sent for the index store, once, only while a store is on', async () => {
    onWorkers();
    const tar = await packTar([
      { name: 'a', body: 'x' },
      { name: 'b', body: 'yy' },
    ]);
    const layer = gzipSync(tar);
    const diffId = `sha256:${createHash('sha256').update(tar).digest('hex')}`;
    const source = await FileSource.open(tempArchive(layer, 'layer.gz'));
    const blob = { source, offset: 0, length: layer.length };
    try {
      const before = layersReadOnWorkers();
      const unstored = await readLayer(blob, diffId, 'no store');
      const fresh = packedFormOf(unstored);
      expect(fresh()).not.toBe(fresh());

      useIndexStore(join(mkdtempSync(join(tmpdir(), 'strata-store-')), 'indexes'), {});
      const stored = await readLayer(blob, diffId, 'a store');
      expect(layersReadOnWorkers()).toBe(before + 2);
      const kept = packedFormOf(stored);
      expect(kept()).toBe(kept());
      // The same bytes as packing it here (a Buffer sent between threads arrives a Uint8Array).
      const { strings, digests, ...rest } = kept();
      const here = packIndex(stored);
      const { strings: packedStrings, digests: packedDigests, ...packedRest } = here;
      expect(rest).toEqual(packedRest);
      expect(Buffer.from(strings).equals(packedStrings)).toBe(true);
      expect(Buffer.from(digests).equals(packedDigests)).toBe(true);
      expect(digests).toHaveLength(2 * 32);
      const again = packedFormOf(stored);
      expect(again()).not.toBe(again());
    } finally {
      useIndexStore(null);
      await source.close();
    }
  });

  it('refuse a file written again after it was opened', async () => {
    onWorkers();
    const layer = gzipSync(await packTar([{ name: 'a', body: 'x' }]));
    const path = tempArchive(layer, 'layer.gz');
    const source = await FileSource.open(path);
    try {
      writeFileSync(path, Buffer.concat([layer, Buffer.alloc(10)]));
      utimesSync(path, new Date(), new Date(Date.now() + 5000));
      await expect(
        readLayer({ source, offset: 0, length: layer.length }, 'sha256:x', 'layer 0 of it'),
      ).rejects.toThrow(/the file changed while being read/);
    } finally {
      await source.close();
    }
  });

  it('fail the one layer whose worker dies, and start a new worker for the next', async () => {
    const dying = workerScript(
      `import { parentPort } from 'node:worker_threads';
parentPort.on('message', () => process.exit(3));
parentPort.postMessage('ready');`,
    );
    useLayerWorkers({ script: pathToFileURL(dying), minBytes: 0 });
    const path = fixturePaths().fixtures.edge.ociGzip;
    await expect(indexesOf(path)).rejects.toThrow(
      /layer \d+ \(.*\): the thread reading it failed \(it stopped with exit code 3\)/,
    );
    onWorkers();
    const before = layersReadOnWorkers();
    await indexesOf(path);
    expect(layersReadOnWorkers()).toBeGreaterThan(before);
  });

  it('go to a base layer waiting first, then to the layer with the most work', async () => {
    // The real worker, loaded once every layer waits for it (on a busy machine a worker could
    // otherwise be ready before the last layer is queued, and take the first it finds).
    const go = join(mkdtempSync(join(tmpdir(), 'strata-go-')), 'go');
    const script = workerScript(
      `import { existsSync } from 'node:fs';
while (!existsSync(${JSON.stringify(go)})) await new Promise((wait) => setTimeout(wait, 10));
await import(${JSON.stringify(SCRIPT.href)});`,
    );
    useLayerWorkers({ script: pathToFileURL(script), minBytes: 0, workers: 1 });
    await stopLayerWorkers();
    // By work, not by size: the incompressible layer has the largest blob and decompresses to
    // the most, but inflates nearly as is; the base goes first though it is the smallest.
    const bodies = [
      randomBytes(600_000),
      Buffer.alloc(500_000),
      Buffer.alloc(300_000),
      randomBytes(1_000),
    ];
    const blobs = await Promise.all(
      bodies.map(async (body, i) => {
        const layer = gzipSync(await packTar([{ name: `f${i}`, body }]));
        const source = await FileSource.open(tempArchive(layer, `layer-${i}.gz`));
        return { source, offset: 0, length: layer.length };
      }),
    );
    expect(blobs[0]!.length).toBeGreaterThan(blobs[1]!.length);
    const done: number[] = [];
    let queued = 0;
    const onQueued = () => {
      if (++queued === blobs.length) writeFileSync(go, '');
    };
    await Promise.all(
      blobs.map((blob, i) =>
        readLayer(blob, 'sha256:x', `layer ${i}`, { base: i === 3, onQueued }).then(() =>
          done.push(bodies[i]!.length),
        ),
      ),
    );
    await Promise.all(blobs.map((blob) => blob.source.close()));
    expect(done).toEqual([1_000, 500_000, 300_000, 600_000]);
    useLayerWorkers({ workers: 2 });
  });

  it('are all asked for at once by the loader, base first, while this thread reads the others', async () => {
    // A real worker that notes which layer it was given, then refuses it.
    const log = join(mkdtempSync(join(tmpdir(), 'strata-log-')), 'order.log');
    const script = workerScript(
      `import { appendFileSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
parentPort.on('message', ({ id, label }) => {
  appendFileSync(${JSON.stringify(log)}, label.replace(/ \\(.*/, '') + '\\n');
  parentPort.postMessage({ id, error: { code: 'bad-archive', message: 'refused by the test' } });
});
// Ready once the loader has had time to ask for every layer, on a busy machine too.
setTimeout(() => parentPort.postMessage('ready'), 1000);`,
    );
    // Base first; then the others by their work (20 kB repeated compresses well: much work for
    // its size), though layers too small for a worker lie between them and are read here.
    const piece = randomBytes(20_000);
    const bodies = [
      randomBytes(2_000),
      Buffer.alloc(100),
      randomBytes(600_000),
      Buffer.alloc(100),
      Buffer.concat(Array<Buffer>(15).fill(piece)),
      Buffer.concat(Array<Buffer>(25).fill(piece)),
    ];
    const path = await gzipImage('strata/order:1', bodies);
    useLayerWorkers({ script: pathToFileURL(script), minBytes: 1_000, workers: 1 });
    for (const cache of [undefined, new LayerIndexCache()]) {
      await stopLayerWorkers();
      writeFileSync(log, '');
      await expect(loadImage(path, { store: null, cache })).rejects.toThrow('refused by the test');
      await vi.waitFor(() => expect(readFileSync(log, 'utf8').split('\n')).toHaveLength(5));
      expect(readFileSync(log, 'utf8').trim().split('\n')).toEqual(
        [0, 5, 4, 2].map((i) => `${path}: layer ${i}`),
      );
    }
    useLayerWorkers({ script: SCRIPT, minBytes: 0, workers: 2 });
    await stopLayerWorkers();
  });

  it('are not started for an image whose compressed layers are small in all', async () => {
    // Two layers of 100 kB that do not compress: 200 kB to read, each blob over minBytes.
    const bodies = [randomBytes(100_000), randomBytes(100_000)];
    const path = await gzipImage('strata/small:1', bodies);
    // 200 kB is under 16 times 50 kB: both read here.
    useLayerWorkers({ script: SCRIPT, minBytes: 50_000 });
    onThisThread();
    const here = await indexesOf(path);
    useLayerWorkers({ script: SCRIPT, minBytes: 50_000 });
    let before = layersReadOnWorkers();
    expect(await indexesOf(path)).toEqual(here);
    expect(layersReadOnWorkers() - before).toBe(0);
    // and over 16 times 10 kB: both read on workers.
    useLayerWorkers({ minBytes: 10_000 });
    before = layersReadOnWorkers();
    expect(await indexesOf(path)).toEqual(here);
    expect(layersReadOnWorkers() - before).toBe(2);
    onWorkers();
  });

  it('let a waiting worker that dies go, and start another for the next layer', async () => {
    // A real worker that answers every layer with an error, then exits while it waits.
    const script = workerScript(
      `import { parentPort } from 'node:worker_threads';
parentPort.on('message', ({ id }) => {
  parentPort.postMessage({ id, error: { code: 'bad-archive', message: 'refused by the test' } });
  setTimeout(() => process.exit(0), 50);
});
parentPort.postMessage('ready');`,
    );
    useLayerWorkers({ script: pathToFileURL(script), minBytes: 0, workers: 1 });
    const path = fixturePaths().fixtures.edge.ociGzip;
    await expect(indexesOf(path)).rejects.toThrow('refused by the test');
    // A busy machine may take a while to end a thread.
    await vi.waitFor(() => expect(layerWorkersRunning()).toBe(0), { timeout: 5000 });
    // Handed the dead worker, this read would wait for ever.
    await expect(indexesOf(path)).rejects.toThrow('refused by the test');
    useLayerWorkers({ workers: 2 });
  });

  it('stop once they all have waited idleMs', async () => {
    useLayerWorkers({ script: SCRIPT, minBytes: 0, idleMs: 200 });
    await indexesOf(fixturePaths().fixtures.edge.ociGzip);
    expect(layerWorkersRunning()).toBeGreaterThan(0);
    // Well before the 3 s they wait by default, however busy the machine.
    await vi.waitFor(() => expect(layerWorkersRunning()).toBe(0), { timeout: 2500 });
    useLayerWorkers({ idleMs: 3000 });
  });

  it('give way to this thread when the script does not load, and say why once', async () => {
    const reasons: string[] = [];
    useLayerWorkers({
      script: new URL('file:///nonexistent/layer-worker.js'),
      minBytes: 0,
      onUnavailable: (reason) => reasons.push(reason),
    });
    const before = layersReadOnWorkers();
    const path = fixturePaths().fixtures.edge.ociGzip;
    const there = await indexesOf(path);
    expect(layersReadOnWorkers()).toBe(before);
    await indexesOf(path);
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toMatch(
      /^the layer worker file:\/\/\/nonexistent\/layer-worker\.js did not start \(.+\)$/,
    );
    useLayerWorkers({ onUnavailable: null });
    onThisThread();
    expect(there).toEqual(await indexesOf(path));
  });
});
