// The engine channels through the dispatcher, over the real service: malformed requests are
// refused before anything reaches an engine (a real unix-socket proxy in front of a socket that
// would answer counts every connection), and the engine's errors come back as ErrorInfo.
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StrataService } from '../core/service';
import { ExportCache } from '../core/source/export-cache';
import { createDispatcher } from './dispatch';
import { removeTempDirs, tempDir } from '../../e2e/engine/temp-dirs';

let server: Server;
let connections = 0;
let service: StrataService;
const socketPath = join(tempDir('strata-ereq-'), 'engine.sock');

beforeAll(async () => {
  // A socket that counts connections and answers none: only valid requests may ever reach it.
  server = createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  service = new StrataService({
    engines: {
      env: {
        HOME: tempDir('strata-home-'),
        DOCKER_HOST: `unix://${socketPath}`,
      },
      exportCache: new ExportCache(join(tempDir('strata-ec-'), 'exports')),
    },
  });
});

afterAll(async () => {
  await service.dispose();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await removeTempDirs();
});

describe('engine channels in the dispatcher', () => {
  it('refuses malformed requests with bad-request, reaching no engine', async () => {
    const dispatch = createDispatcher(service);
    const bad = [
      dispatch('engine:open', { ref: 'alpine?x', openId: 'a' }),
      dispatch('engine:open', { ref: 'alpine#x', openId: 'a' }),
      dispatch('engine:open', { ref: '../../containers/json', openId: 'a' }),
      dispatch('engine:open', { ref: 'alpine', openId: 'not/ok' }),
      dispatch('engine:open', { ref: 'alpine', openId: 'a', platform: 'linux amd64' }),
      dispatch('engine:open', { ref: 'alpine', openId: 'a', extra: 1 }),
      dispatch('engine:open', { ref: 7, openId: 'a' }),
      dispatch('engine:open', { openId: 'a' }),
      dispatch('engine:cancelOpen', { openId: '' }),
      dispatch('engine:select', { id: 'x\u0000y' }),
      dispatch('engine:images', { all: true }),
      dispatch('engine:clearCache', []),
    ];
    for (const result of await Promise.all(bad)) {
      expect(result).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    }
    expect(connections).toBe(0);
  });

  it('passes valid requests to the service, and the engine failure back as ErrorInfo', async () => {
    const dispatch = createDispatcher(service);
    const result = await dispatch('engine:images', {});
    expect(result).toMatchObject({
      ok: false,
      error: {
        code: 'engine-unavailable',
        message: expect.stringMatching(/closed the connection without answering/),
      },
    });
    expect(connections).toBeGreaterThan(0);
    expect(await dispatch('engine:cancelOpen', { openId: 'nothing-running' })).toEqual({
      ok: true,
      value: null,
    });
    expect(await dispatch('engine:cacheInfo', {})).toMatchObject({
      ok: true,
      value: { images: 0, bytes: 0 },
    });
    const list = await dispatch('engine:list', {});
    expect(list).toMatchObject({ ok: true, value: { currentId: `docker:unix://${socketPath}` } });
    expect(await dispatch('engine:select', { id: 'docker:unix:///elsewhere.sock' })).toMatchObject({
      ok: false,
      error: { code: 'not-found' },
    });
  });
});
