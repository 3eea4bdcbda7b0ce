// The engine source against a real engine (the private dockerd the test harness starts, holding
// the fixture images): the image list and its events, opening with preview, progress and layers
// before the export ends, the export cache, cancel, and every failure a person can meet, each
// with its message within seconds. Misbehaving sockets are real sockets; the engine is real.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type Docker from 'dockerode';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { StrataEvent } from '../../api/contract';
import type { EngineOpenProgressEvent } from '../../api/engine';
import type { InspectResult } from '../../api/model';
import { fixturePaths, readEngineRecord } from '../../../e2e/fixtures';
import { acquireEngine, type Engine } from '../../../e2e/fixtures/engine';
import { buildImage, dockerFor } from '../../../e2e/fixtures/engine-api';
import { startFixtureEngine, type FixtureEngine } from '../../../e2e/fixtures/live-engine';
import { acceptThenClose, silentSocket } from '../../../e2e/engine/misbehaving-socket';
import { startSocketProxy, type SocketProxy } from '../../../e2e/engine/socket-proxy';
import { importSmallImage, loadBigImage, type BigImage } from '../../../e2e/engine/test-images';
import { inspectArchive } from '../inspect';
import { packTar } from '../tar/pack-tar';
import { StrataService } from '../service';
import { ExportCache } from './export-cache';
import { idHex } from './image-ref';
import { removeTempDirs, tempDir } from '../../../e2e/engine/temp-dirs';
import { guardEngineImages } from '../../../e2e/engine/image-guard-vitest';
import { ImageListGuard } from '../../../e2e/engine/image-guard';

/**
 * A failure that comes at once, not from a timeout: well inside the client's 20 s (a loaded CI
 * machine takes seconds for what takes milliseconds alone).
 */
const AT_ONCE_MS = 10_000;

let engine: FixtureEngine;
let docker: Docker;
let big: BigImage;
const services: StrataService[] = [];

beforeAll(async () => {
  engine = await startFixtureEngine();
  docker = dockerFor(engine.dockerHost);
  big = await loadBigImage(docker);
}, 240_000);

afterAll(async () => {
  await Promise.all(services.map((s) => s.dispose()));
  await engine?.release();
  await removeTempDirs();
});

// Each test leaves the engine's images as it found them (those that build, tag or remove put
// them back).
guardEngineImages(() => engine);

describe('the image-list guard', () => {
  it('names an image a test left behind, a tag it added, and lets a declared change pass', async (context) => {
    if (!engine.started)
      context.skip("a shared engine is compared only for images not the tests' own");
    const guard = new ImageListGuard(() => engine);
    await guard.snapshot();
    const id = await importSmallImage(docker, 'strata-test/left-behind:1', 'left behind');
    await docker.getImage(engine.refs.tiny).tag({ repo: 'strata-test/extra', tag: '1' });
    const message = await guard.verify().then(
      () => 'no error',
      (err: Error) => err.message,
    );
    expect(message).toContain(`The test changed the engine's images at ${engine.dockerHost}`);
    expect(message).toContain(`added ${id.slice(0, 19)} (strata-test/left-behind:1)`);
    expect(message).toMatch(
      /retagged sha256:\S+ \([^)]*strata-fixture\/tiny:1[^)]*\) -> \[[^\]]*strata-test\/extra:1/,
    );
    // Declared, the same kind of change passes: the test takes both back.
    await guard.snapshot();
    guard.allow('the test removes what it made', /^strata-test\/(left-behind|extra):1$/);
    await docker.getImage(id).remove({ force: true });
    await docker.getImage('strata-test/extra:1').remove();
    await guard.verify();
  });
});

/** A service talking to `dockerHost`, with its own export cache dir; its events recorded. */
function serviceAt(
  dockerHost: string,
  extra: NodeJS.ProcessEnv = {},
  timeoutMs?: number,
  exportIdleMs?: number,
): { service: StrataService; events: StrataEvent[]; cache: ExportCache } {
  const cache = new ExportCache(join(tempDir('strata-ec-'), 'exports'));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: tempDir('strata-home-'),
    XDG_RUNTIME_DIR: join(tmpdir(), 'strata-no-runtime'),
    DOCKER_HOST: dockerHost,
    ...extra,
  };
  const service = new StrataService({
    engines: { env, exportCache: cache, client: { timeoutMs, exportIdleMs } },
  });
  const events: StrataEvent[] = [];
  service.on('event', (event) => events.push(event));
  services.push(service);
  return { service, events, cache };
}

/** The promise's rejection and how long it took. */
async function failure(
  work: Promise<unknown>,
): Promise<{ error: { code?: string; message: string }; ms: number }> {
  const started = Date.now();
  try {
    await work;
  } catch (error) {
    return { error: error as { code?: string; message: string }, ms: Date.now() - started };
  }
  throw new Error('expected a failure, but it succeeded');
}

const withoutFormat = ({ format: _format, ...rest }: InspectResult) => rest;

function cacheFiles(cache: ExportCache): string[] {
  return existsSync(cache.dir) ? readdirSync(cache.dir) : [];
}

describe('the engine list', () => {
  it('finds the engine at DOCKER_HOST, reachable, with its version', async () => {
    const { service } = serviceAt(engine.dockerHost);
    const list = await service.listEngines();
    const current = list.engines.find((e) => e.id === list.currentId)!;
    expect(current).toMatchObject({
      kind: 'docker',
      name: 'DOCKER_HOST',
      host: engine.dockerHost,
      reachable: true,
    });
    expect(current.version).toMatch(/API 1\.\d+/);
  });

  it('lists the fixture images with all their tags, size and date', async () => {
    const { service } = serviceAt(engine.dockerHost);
    const { images, engine: info } = await service.engineImages();
    expect(info.host).toBe(engine.dockerHost);
    for (const [name, files] of Object.entries(fixturePaths().fixtures)) {
      const record = readEngineRecord(files.engine);
      const listed = images.find((image) => image.id === record.inspect.Id);
      expect(listed, name).toBeDefined();
      expect([...listed!.tags].sort()).toEqual([...record.inspect.RepoTags].sort());
      expect(listed!.size).toBe(record.inspect.Size);
      expect(listed!.dangling).toBe(false);
      expect(Date.parse(listed!.created!) / 1000).toBe(
        Math.floor(Date.parse(record.inspect.Created) / 1000),
      );
    }
    const tiny = images.find((image) => image.tags.includes(engine.refs.tiny))!;
    expect(tiny.tags.length).toBeGreaterThan(1); // one image, two tags
  });

  it('follows the engine: a build, a tag and a removal each update the list', async () => {
    const { service, events } = serviceAt(engine.dockerHost);
    await service.engineImages();
    await expect
      .poll(() => events.some((e) => e.type === 'engine-status' && e.reachable), { timeout: 5_000 })
      .toBe(true);
    const changes = () => events.filter((e) => e.type === 'engine-images-changed').length;
    const tags = async () => (await service.engineImages()).images.flatMap((image) => image.tags);

    let seen = changes();
    const context = await packTar([
      { name: 'Dockerfile', body: `FROM ${engine.refs.tiny}\nCOPY note.txt /note.txt\n` },
      { name: 'note.txt', body: 'built while Strata watched\n' },
    ]);
    await buildImage(docker, context, ['strata-test/built:1']);
    await expect.poll(changes, { timeout: 5_000 }).toBeGreaterThan(seen);
    expect(await tags()).toContain('strata-test/built:1');

    seen = changes();
    await docker.getImage('strata-test/built:1').tag({ repo: 'strata-test/built', tag: 'also' });
    await expect.poll(changes, { timeout: 5_000 }).toBeGreaterThan(seen);
    expect(await tags()).toContain('strata-test/built:also');

    seen = changes();
    await docker.getImage('strata-test/built:1').remove();
    await docker.getImage('strata-test/built:also').remove();
    await expect.poll(changes, { timeout: 5_000 }).toBeGreaterThan(seen);
    const after = await tags();
    expect(after).not.toContain('strata-test/built:1');
    expect(after).not.toContain('strata-test/built:also');
  });
});

describe('opening an engine image', () => {
  let proxy: SocketProxy;
  beforeAll(async () => {
    proxy = await startSocketProxy(engine.dockerHost.slice('unix://'.length));
  });
  afterAll(() => proxy?.close());

  it.each(Object.keys(fixturePaths().fixtures))(
    '%s: preview first, layers indexed during the export, the same image as docker save',
    async (name) => {
      const files =
        fixturePaths().fixtures[name as keyof ReturnType<typeof fixturePaths>['fixtures']];
      const record = readEngineRecord(files.engine);
      const { service, events, cache } = serviceAt(engine.dockerHost);
      const opened = await service.openEngineImage(record.tags[0]!, `open-${name}`);
      expect(opened.source).toBe(`docker://${record.tags[0]}`);
      expect(withoutFormat(opened.inspect)).toEqual(
        withoutFormat(await inspectArchive(files.archive)),
      );

      const mine = events.filter((e) => 'openId' in e && e.openId === `open-${name}`);
      expect(mine[0]).toMatchObject({ type: 'engine-open-preview' });
      const preview = mine[0]!.type === 'engine-open-preview' ? mine[0]!.preview : null;
      expect(preview).toMatchObject({ id: record.inspect.Id, size: record.inspect.Size });
      expect(preview!.steps.map((s) => s.command)).toEqual(
        [...record.history].reverse().map((h) => h.CreatedBy),
      );
      const layers = mine.filter((e) => e.type === 'engine-layer-indexed');
      expect(
        layers
          .map((e) => e.type === 'engine-layer-indexed' && e.layerIndex)
          .sort((a, b) => Number(a) - Number(b)),
      ).toEqual(record.inspect.RootFS.Layers.map((_, i) => i));
      // Every layer was indexed before the export ended (the `loading` phase follows it).
      const loading = mine.findIndex(
        (e) => e.type === 'engine-open-progress' && e.phase === 'loading',
      );
      expect(loading).toBeGreaterThan(mine.indexOf(layers.at(-1)!));
      expect(cacheFiles(cache)).toEqual([`${idHex(record.inspect.Id)}.tar`]);
      // The layer cache holds the model's indexes for the export file's regions (that loadImage
      // takes the export's own indexes without reading again: index-cache.test.ts).
      const model = service.model(opened.handle);
      for (const [i, index] of model.indexes.entries()) {
        expect(await service.layerCache.get(index.diffId, model.layers[i]!.blob)).toEqual({
          index,
        });
      }
    },
  );

  it('opens a second time from the export cache: the engine is not asked to export again', async () => {
    const { service, events } = serviceAt(proxy.dockerHost);
    const exports = () => proxy.requests.filter((line) => /\/images\/get\?/.test(line)).length;
    const before = exports();
    const first = await service.openEngineImage(engine.refs.tiny, 'first');
    expect(exports()).toBe(before + 1);
    await service.close(first.handle);
    const second = await service.openEngineImage(engine.refs.tiny, 'second');
    expect(exports()).toBe(before + 1);
    expect(second.inspect).toEqual(first.inspect);
    const progress = events.filter(
      (e): e is EngineOpenProgressEvent =>
        e.type === 'engine-open-progress' && e.openId === 'second',
    );
    expect(progress.every((e) => e.cached)).toBe(true);
    // By ID, or by its other tag: the same cache entry.
    await service.openEngineImage('strata-fixture/tiny:latest', 'third');
    expect(exports()).toBe(before + 1);
  });

  it('reports the cache size and clears what no open image reads', async () => {
    const { service } = serviceAt(engine.dockerHost);
    const opened = await service.openEngineImage(engine.refs.tiny, 'cache-a');
    await service.close((await service.openEngineImage(engine.refs.basic, 'cache-b')).handle);
    const info = await service.engineCacheInfo();
    expect(info).toMatchObject({ images: 2 });
    expect(info.bytes).toBeGreaterThan(0);
    expect(await service.clearEngineCache()).toMatchObject({ images: 1 });
    await service.close(opened.handle);
    expect(await service.clearEngineCache()).toMatchObject({ images: 0, bytes: 0 });
  });

  it('cancels mid-export: no stream left open, no cache entry, no partial file', async () => {
    const { service, events, cache } = serviceAt(proxy.dockerHost);
    service.on('event', (event) => {
      if (event.type === 'engine-open-progress' && event.openId === 'big' && event.bytes > 0) {
        service.cancelEngineOpen('big');
      }
    });
    const { error, ms } = await failure(service.openEngineImage(big.ref, 'big'));
    expect(error).toMatchObject({ code: 'cancelled' });
    expect(error.message).toMatch(/Cancelled/);
    expect(ms).toBeLessThan(30_000);
    const progress = events.filter(
      (e): e is EngineOpenProgressEvent => e.type === 'engine-open-progress',
    );
    expect(progress.at(-1)!.bytes).toBeLessThan(big.size);
    await expect.poll(() => proxy.openConnections(/\/images\/get/), { timeout: 3_000 }).toBe(0);
    expect(cacheFiles(cache)).toEqual([]);
    expect(await cache.lookup(big.id)).toBeNull();
    // The engine is fine and the same image opens afterwards.
    await expect(service.engineImages()).resolves.toBeDefined();
  });
});

describe('failures, each with its message within seconds', () => {
  it('DOCKER_HOST at a path with no socket', async () => {
    const missing = join(tempDir('strata-none-'), 'docker.sock');
    const { service } = serviceAt(`unix://${missing}`);
    const { error, ms } = await failure(service.engineImages());
    expect(error.code).toBe('engine-unavailable');
    expect(error.message).toContain(`there is no socket at ${missing}`);
    expect(error.message).toMatch(/start Docker/);
    expect(ms).toBeLessThan(AT_ONCE_MS);
    const list = await service.listEngines();
    expect(list.engines.find((e) => e.id === list.currentId)?.reachable).toBe(false);
  });

  it('a socket that accepts and then closes', async () => {
    const bad = await acceptThenClose();
    try {
      const { service } = serviceAt(bad.dockerHost);
      const { error, ms } = await failure(service.openEngineImage(engine.refs.tiny, 'closed'));
      expect(error.code).toBe('engine-unavailable');
      expect(error.message).toMatch(/closed the connection without answering/);
      expect(ms).toBeLessThan(AT_ONCE_MS);
      expect(bad.accepted()).toBeGreaterThan(0);
    } finally {
      await bad.close();
    }
  });

  it('a socket that accepts and never answers (bounded by the client timeout)', async () => {
    const bad = await silentSocket();
    try {
      const { service } = serviceAt(bad.dockerHost, {}, 1_500);
      const { error, ms } = await failure(service.engineImages());
      expect(error.code).toBe('engine-unavailable');
      expect(error.message).toMatch(/did not answer \(list its images\) within 2 s/);
      expect(ms).toBeLessThan(AT_ONCE_MS);
    } finally {
      await bad.close();
    }
  });

  it('an API version the engine refuses', async () => {
    const { service } = serviceAt(engine.dockerHost, { DOCKER_API_VERSION: '1.99' });
    const { error, ms } = await failure(service.engineImages());
    expect(error.code).toBe('engine-version');
    expect(error.message).toMatch(/refused the API version 1\.99 .*unset DOCKER_API_VERSION/);
    expect(ms).toBeLessThan(AT_ONCE_MS);
  });

  it('an image name with ? or # never reaches the engine', async () => {
    const proxy = await startSocketProxy(engine.dockerHost.slice('unix://'.length));
    try {
      const { service } = serviceAt(proxy.dockerHost);
      for (const ref of ['alpine?x=1', 'alpine#frag', '../containers/json']) {
        const { error } = await failure(service.openEngineImage(ref, 'bad-name'));
        expect(error.code).toBe('bad-request');
        expect(error.message).toMatch(/is not an image name or ID/);
      }
      expect(proxy.requests).toEqual([]);
    } finally {
      await proxy.close();
    }
  });

  it('an image that is not there', async () => {
    const { service } = serviceAt(engine.dockerHost);
    const { error, ms } = await failure(service.openEngineImage('strata-test/never:1', 'never'));
    expect(error.code).toBe('not-found');
    expect(error.message).toMatch(
      /No image "strata-test\/never:1" in the engine at .*docker images/,
    );
    expect(ms).toBeLessThan(AT_ONCE_MS);
  });

  it('an image removed between its inspect and its export', async () => {
    const id = await importSmallImage(docker, 'strata-test/gone:1', 'removed before export');
    const proxy = await startSocketProxy(engine.dockerHost.slice('unix://'.length));
    try {
      const { service, cache } = serviceAt(proxy.dockerHost);
      const held = proxy.hold(/\/images\/get\?/);
      const opening = failure(service.openEngineImage('strata-test/gone:1', 'gone'));
      await held.seen;
      await docker.getImage(id).remove({ force: true });
      held.release();
      const { error, ms } = await opening;
      expect(error.code).toBe('not-found');
      expect(error.message).toMatch(
        /strata-test\/gone:1 is no longer in the engine at .*removed after it was inspected/,
      );
      expect(ms).toBeLessThan(10_000);
      expect(cacheFiles(cache)).toEqual([]);
    } finally {
      await proxy.close();
    }
  });

  it('an image removed while it is being exported (the answer cut short after the removal)', async () => {
    // Docker 20.10 finishes an export it has started even when the image is removed meanwhile
    // (it holds the layers), so the socket cuts the answer, as an engine that stops would.
    const id = await importSmallImage(docker, 'strata-test/vanishing:1', 'removed during export');
    const proxy = await startSocketProxy(engine.dockerHost.slice('unix://'.length));
    try {
      const { service, cache } = serviceAt(proxy.dockerHost);
      proxy.cutAfter(/\/images\/get\?/, 50_000, async () => {
        await docker.getImage(id).remove({ force: true });
      });
      const { error, ms } = await failure(
        service.openEngineImage('strata-test/vanishing:1', 'vanishing'),
      );
      expect(error.code).toBe('not-found');
      expect(error.message).toMatch(
        /strata-test\/vanishing:1 was removed from the engine at .* while it was being exported \(after 0\.0\d? MB/,
      );
      expect(ms).toBeLessThan(10_000);
      expect(cacheFiles(cache)).toEqual([]);
    } finally {
      await proxy.close();
    }
  });
});

describe('an engine that answers slowly, cuts its export short or sends garbage', () => {
  let proxy: SocketProxy;
  beforeEach(async () => {
    proxy = await startSocketProxy(engine.dockerHost.slice('unix://'.length));
  });
  afterEach(() => proxy?.close());

  /** A whole HTTP answer whose body is `body`, as an engine would frame JSON. */
  const answer = (body: string) =>
    `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
  const exports = () => proxy.requests.filter((line) => /\/images\/get\?/.test(line)).length;

  it.each([
    ['JSON cut short', '[{"Id":"sha256:', 'not JSON'],
    ['not JSON at all', 'sha256 sha256 sha256', 'not JSON'],
    ['JSON, but not a list', '{"Images":[]}', 'not a list'],
  ])('the image list: %s', async (_what, body, problem) => {
    proxy.answer(/\/images\/json/, answer(body));
    const { service } = serviceAt(proxy.dockerHost);
    const { error, ms } = await failure(service.engineImages());
    expect(error.code).toBe('engine-failed');
    expect(error.message).toBe(
      `${proxy.dockerHost} gave an answer Strata cannot use when asked to list its images (${problem}): is it a Docker or Podman engine?`,
    );
    expect(ms).toBeLessThan(AT_ONCE_MS);
    // The engine behind it is fine: the same service lists it once it answers properly.
    const { service: direct } = serviceAt(engine.dockerHost);
    await expect(direct.engineImages()).resolves.toMatchObject({ images: expect.any(Array) });
  });

  it.each([
    ['inspect', /\/images\/.+\/json/, 'inspect'],
    ['history', /\/images\/.+\/history/, 'read the history of'],
  ])('opening an image whose %s answer is garbage', async (_what, pattern, asked) => {
    proxy.answer(pattern, answer('{"Id":"sha256:0123'));
    const { service, cache } = serviceAt(proxy.dockerHost);
    const { error, ms } = await failure(service.openEngineImage(engine.refs.tiny, 'garbage'));
    expect(error.code).toBe('engine-failed');
    expect(error.message).toContain(
      `gave an answer Strata cannot use when asked to ${asked} ${engine.refs.tiny} (not JSON)`,
    );
    expect(ms).toBeLessThan(AT_ONCE_MS);
    expect(exports()).toBe(0);
    expect(cacheFiles(cache)).toEqual([]);
  });

  it('an inspect that valid JSON does not make an image', async () => {
    proxy.answer(/\/images\/.+\/json/, answer('{"Id":"../../etc","RootFS":7}'));
    const { service, cache } = serviceAt(proxy.dockerHost);
    const { error } = await failure(service.openEngineImage(engine.refs.tiny, 'odd'));
    expect(error.message).toContain(
      `when asked to inspect ${engine.refs.tiny} (the image ID "../../etc" is not a digest)`,
    );
    expect(exports()).toBe(0);
    expect(cacheFiles(cache)).toEqual([]);
  });

  it('a truncated export: the image named, no cache entry, no partial file', async () => {
    const id = readEngineRecord(fixturePaths().fixtures.basic.engine).inspect.Id;
    proxy.cutAfter(/\/images\/get\?/, 300_000);
    const { service, cache } = serviceAt(proxy.dockerHost);
    const { error, ms } = await failure(service.openEngineImage(engine.refs.basic, 'cut'));
    expect(error.code).toBe('engine-failed');
    expect(error.message).toMatch(
      new RegExp(
        `^The export of ${engine.refs.basic.replace(/[.]/g, '\\.')} from .* was truncated after 0\\.\\d MB of about \\d\\.\\d MB .*; try again$`,
      ),
    );
    expect(ms).toBeLessThan(10_000);
    expect(exports()).toBe(1);
    expect(cacheFiles(cache)).toEqual([]);
    expect(await cache.lookup(id)).toBeNull();
    // Nothing half-written is found the next time: the image opens whole, exported again.
    const again = await service.openEngineImage(engine.refs.basic, 'whole');
    expect(again.inspect.image.id).toBe(id);
    expect(exports()).toBe(2);
  });

  it('an export that never starts: bounded by the idle limit, no cache entry', async () => {
    const held = proxy.hold(/\/images\/get\?/);
    const { service, cache } = serviceAt(proxy.dockerHost, {}, undefined, 1_500);
    const { error, ms } = await failure(service.openEngineImage(engine.refs.tiny, 'stuck'));
    await held.seen;
    held.release();
    expect(error.code).toBe('engine-unavailable');
    expect(error.message).toContain(
      `did not answer (export ${engine.refs.tiny}) within 2 s: the engine is stuck`,
    );
    expect(ms).toBeLessThan(5_000);
    expect(cacheFiles(cache)).toEqual([]);
  });

  it('an inspect that never comes: bounded by the client timeout', async () => {
    const held = proxy.hold(/\/images\/.+\/json/);
    const { service, cache } = serviceAt(proxy.dockerHost, {}, 1_500);
    const { error, ms } = await failure(service.openEngineImage(engine.refs.tiny, 'slow'));
    held.release();
    expect(error.code).toBe('engine-unavailable');
    expect(error.message).toMatch(
      new RegExp(
        `did not answer \\(inspect ${engine.refs.tiny.replace(/[.]/g, '\\.')}\\) within 2 s`,
      ),
    );
    expect(ms).toBeLessThan(5_000);
    expect(exports()).toBe(0);
    expect(cacheFiles(cache)).toEqual([]);
  });

  it('a slow export (1 MB/s) opens, its progress moving all along', async () => {
    proxy.throttle(1_000_000);
    const { service, events } = serviceAt(proxy.dockerHost, {}, 1_500, 1_500);
    const opened = await service.openEngineImage(engine.refs.basic, 'slow-export');
    expect(opened.inspect.image.id).toBe(
      readEngineRecord(fixturePaths().fixtures.basic.engine).inspect.Id,
    );
    const bytes = events
      .filter(
        (e): e is EngineOpenProgressEvent =>
          e.type === 'engine-open-progress' && e.openId === 'slow-export' && !e.cached,
      )
      .map((e) => e.bytes);
    // More than a second of export, reported as it went (every 100 ms or each layer).
    expect(new Set(bytes).size).toBeGreaterThan(5);
    expect(bytes).toEqual([...bytes].sort((a, b) => a - b));
  });
});

describe('the engine stops in the middle of an export', () => {
  let own: Engine | null = null;
  afterAll(() => own?.release());

  it('says the engine stopped, and leaves no partial file', async (context) => {
    own = await acquireEngine();
    if (!own.started) {
      context.skip(
        'stopping an engine needs a private one; DOCKER_HOST (or the shared default socket) is in use',
      );
    }
    const ownDocker = dockerFor(own.dockerHost);
    const image = await loadBigImage(ownDocker);
    const pidFile = join(dirname(own.dockerHost.slice('unix://'.length)), 'docker.pid');
    const pid = Number(readFileSync(pidFile, 'utf8'));
    // Slowed to 40 MB/s on its way (a real socket in front of the real engine), so that the
    // engine is still sending when it is stopped, however fast this machine is.
    const slow = await startSocketProxy(own.dockerHost.slice('unix://'.length));
    slow.throttle(40_000_000);
    const { service, cache } = serviceAt(slow.dockerHost);
    let stoppedAt = 0;
    service.on('event', (event) => {
      if (event.type === 'engine-open-progress' && event.bytes > 0 && stoppedAt === 0) {
        stoppedAt = Date.now();
        process.kill(pid, 'SIGTERM');
      }
    });
    const { error } = await failure(service.openEngineImage(image.ref, 'stopping'));
    expect(stoppedAt).toBeGreaterThan(0);
    expect(error.code).toBe('engine-unavailable');
    expect(error.message).toMatch(
      /stopped while exporting strata-test\/big:\d+ \(after [\d.]+ MB of about 300\.0 MB\): start the engine again/,
    );
    expect(Date.now() - stoppedAt).toBeLessThan(10_000);
    expect(cacheFiles(cache)).toEqual([]);
    await slow.close();
  });
});
