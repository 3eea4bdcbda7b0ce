// The engine source against a real Podman API service (Debian's podman, vfs storage, a private
// socket) holding the fixture images: found through CONTAINER_HOST, listed with their
// `localhost/` names, followed, and opened to the same image as the docker save archive.
import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StrataEvent } from '../../api/contract';
import type { InspectResult } from '../../api/model';
import { fixturePaths, readEngineRecord } from '../../../e2e/fixtures';
import { REPO_ROOT } from '../../../e2e/fixtures/manifest';
import { startPodmanService, type PodmanService } from '../../../e2e/engine/podman-service';
import { inspectArchive } from '../inspect';
import { StrataService } from '../service';
import { ExportCache } from './export-cache';
import { removeTempDirs, tempDir } from '../../../e2e/engine/temp-dirs';
import { guardEngineImages } from '../../../e2e/engine/image-guard-vitest';

const run = promisify(execFile);
let podman: PodmanService | null = null;
let unavailable = '';
let service: StrataService;
const events: StrataEvent[] = [];
const env = (): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  HOME: tempDir('strata-home-'),
  XDG_RUNTIME_DIR: join(tmpdir(), 'strata-no-runtime'),
  DOCKER_HOST: `unix://${join(tmpdir(), 'strata-no-docker', 'docker.sock')}`,
  CONTAINER_HOST: podman!.host,
  XDG_CACHE_HOME: tempDir('strata-pm-cache-'),
});

beforeAll(async () => {
  const started = await startPodmanService();
  if ('unavailable' in started) {
    unavailable = started.unavailable;
    return;
  }
  podman = started;
  for (const files of Object.values(fixturePaths().fixtures)) await podman.load(files.archive);
  service = new StrataService({
    engines: {
      env: env(),
      exportCache: new ExportCache(join(tempDir('strata-ec-'), 'exports')),
    },
  });
  service.on('event', (event) => events.push(event));
}, 180_000);

afterAll(async () => {
  await service?.dispose();
  await podman?.release();
  await removeTempDirs();
});

// The service is this file's own: its image list is compared whole.
guardEngineImages(() => podman && { dockerHost: podman.host, started: true });

/** What does not depend on the engine that wrote the archive: tags and format aside. */
const comparable = ({ format: _format, image, ...rest }: InspectResult) => ({
  ...rest,
  image: { ...image, tags: [] },
});

describe('Podman', () => {
  it('is found through CONTAINER_HOST and can be picked', async (context) => {
    if (!podman) return context.skip(unavailable);
    const list = await service.listEngines();
    const found = list.engines.find((e) => e.host === podman!.host);
    expect(found).toMatchObject({ kind: 'podman', name: 'CONTAINER_HOST', reachable: true });
    expect(found!.version).toMatch(/^Podman Engine \d/);
    // DOCKER_HOST names a socket that is not there: Podman, the one that answers, is current.
    expect(list.currentId).toBe(found!.id);
    expect((await service.selectEngine(found!.id)).currentId).toBe(found!.id);
  });

  it('lists the fixture images under their localhost/ names', async (context) => {
    if (!podman) return context.skip(unavailable);
    const { images } = await service.engineImages();
    for (const files of Object.values(fixturePaths().fixtures)) {
      const record = readEngineRecord(files.engine);
      const listed = images.find((image) => image.id === record.inspect.Id);
      expect(listed).toBeDefined();
      expect([...listed!.tags].sort()).toEqual(record.tags.map((t) => `localhost/${t}`).sort());
    }
  });

  it('follows its events: a tag shows up', async (context) => {
    if (!podman) return context.skip(unavailable);
    await expect
      .poll(() => events.some((e) => e.type === 'engine-status' && e.reachable), { timeout: 5_000 })
      .toBe(true);
    const seen = events.filter((e) => e.type === 'engine-images-changed').length;
    const tiny = readEngineRecord(fixturePaths().fixtures.tiny.engine).tags[0]!;
    await run('curl', [
      '-sf',
      '-X',
      'POST',
      '--unix-socket',
      podman!.socketPath,
      `http://podman/v1.40/images/localhost/${tiny}/tag?repo=strata-test/podman-tag&tag=1`,
    ]);
    await expect
      .poll(() => events.filter((e) => e.type === 'engine-images-changed').length, {
        timeout: 5_000,
      })
      .toBeGreaterThan(seen);
    const tags = (await service.engineImages()).images.flatMap((image) => image.tags);
    expect(tags.some((tag) => tag.endsWith('strata-test/podman-tag:1'))).toBe(true);
    // Put back as found: the tag goes again (the image keeps its other tags).
    await run('curl', [
      '-sf',
      '-X',
      'DELETE',
      '--unix-socket',
      podman!.socketPath,
      'http://podman/v1.40/images/docker.io/strata-test/podman-tag:1',
    ]);
  });

  it.each(Object.keys(fixturePaths().fixtures))(
    'opens %s as the docker save archive reads',
    async (name) => {
      if (!podman) return;
      const files =
        fixturePaths().fixtures[name as keyof ReturnType<typeof fixturePaths>['fixtures']];
      const record = readEngineRecord(files.engine);
      const ref = `localhost/${record.tags[0]}`;
      const opened = await service.openEngineImage(ref, `podman-${name}`);
      expect(opened.source).toBe(`podman://${ref}`);
      expect(opened.inspect.image.tags).toContain(ref);
      expect(comparable(opened.inspect)).toEqual(comparable(await inspectArchive(files.archive)));
      const layers = events.filter(
        (e) => e.type === 'engine-layer-indexed' && e.openId === `podman-${name}`,
      );
      expect(layers).toHaveLength(record.inspect.RootFS.Layers.length);
    },
  );

  it('strata inspect podman://REF --json equals strata inspect of the archive', async (context) => {
    if (!podman) return context.skip(unavailable);
    const files = fixturePaths().fixtures.tiny;
    const ref = `localhost/${readEngineRecord(files.engine).tags[0]}`;
    const inspect = async (source: string): Promise<InspectResult> => {
      const { stdout } = await run(
        process.execPath,
        [join(REPO_ROOT, 'bin', 'strata.js'), 'inspect', source, '--json'],
        { env: env(), maxBuffer: 64 * 1024 * 1024 },
      );
      return JSON.parse(stdout) as InspectResult;
    };
    const [fromPodman, fromArchive] = await Promise.all([
      inspect(`podman://${ref}`),
      inspect(files.archive),
    ]);
    expect(comparable(fromPodman)).toEqual(comparable(fromArchive));
  });
});
