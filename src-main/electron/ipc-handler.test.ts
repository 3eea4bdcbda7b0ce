// IPC as main.ts runs it (guardedHandler over the real dispatcher and the real service): the
// sender is checked first, then the request against its channel's own schema; every channel
// of the contract has both. No Electron binary is needed.
import { afterEach, describe, expect, it } from 'vitest';
import { CHANNELS, type Channel } from '../api/contract';
import type { OpenedImage } from '../api/model';
import { StrataService } from '../core/service';
import { createDispatcher, parseRequest } from '../web/dispatch';
import { APP_INDEX_URL } from './app-origin';
import { guardedHandler, type InvokeEvent } from './ipc-handler';

let service: StrataService;
afterEach(() => service?.closeAll());

/** The handler ipc.ts registers for `channel`, over a fresh real service. */
function handlerFor(channel: Channel) {
  service ??= new StrataService();
  return guardedHandler(channel, undefined, (_event: InvokeEvent) => createDispatcher(service, {}));
}

const APP_FRAME: InvokeEvent = { senderFrame: { url: APP_INDEX_URL, parent: null } };
const FOREIGN_FRAMES: [string, InvokeEvent][] = [
  ['a foreign page', { senderFrame: { url: 'https://evil.example/', parent: null } }],
  ['a subframe of the app', { senderFrame: { url: APP_INDEX_URL, parent: {} } }],
  ['a file: page', { senderFrame: { url: 'file:///tmp/x.html', parent: null } }],
  ['a frame already gone', { senderFrame: null }],
];

describe('guardedHandler (every ipcMain.handle)', () => {
  it('answers the app: the demo opens through image:openDemo', async () => {
    const result = await handlerFor('image:openDemo')(APP_FRAME, {});
    expect(result.ok).toBe(true);
    expect((result as { value: OpenedImage }).value.inspect.layers.length).toBeGreaterThan(0);
  });

  it.each(FOREIGN_FRAMES)('refuses %s on every channel, before the service', async (_, event) => {
    service = new StrataService();
    for (const channel of CHANNELS) {
      const result = await handlerFor(channel)(event, {});
      expect(result, channel).toEqual({
        ok: false,
        error: {
          code: 'forbidden',
          message: `${channel}: refused a message from outside the app.`,
        },
      });
    }
    expect(service.list()).toEqual([]);
  });

  it('refuses a bad argument on every channel with bad-request, naming the channel', async () => {
    for (const channel of CHANNELS) {
      for (const bad of [null, 'x', 7, ['a'], { unexpected: true }]) {
        const result = await handlerFor(channel)(APP_FRAME, bad);
        expect(result.ok, `${channel} ${JSON.stringify(bad)}`).toBe(false);
        const error = (result as { error: { code: string; message: string } }).error;
        expect(error.code, `${channel} ${JSON.stringify(bad)}`).toBe('bad-request');
        expect(error.message).toContain(channel);
      }
    }
    expect(service.list()).toEqual([]);
  });

  it('refuses a path with a NUL and an open of something that is not a path', async () => {
    const open = handlerFor('image:open');
    for (const path of ['/a\0.tar', '', 42, { toString: '/etc/passwd' }]) {
      const result = await open(APP_FRAME, { path });
      expect(result).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    }
  });
});

describe('the contract', () => {
  it('has a schema of its own for every channel (no channel falls through)', () => {
    for (const channel of CHANNELS) {
      let message = '';
      try {
        parseRequest(channel, { 'not a field': 1 });
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message, channel).toBe(`${channel}: unexpected field "not a field" in the request.`);
    }
  });

  it('refuses a channel outside the contract', async () => {
    const result = await createDispatcher(new StrataService(), {})(
      'shell:openExternal' as Channel,
      {},
    );
    expect(result).toMatchObject({ ok: false, error: { code: 'bad-request' } });
  });
});
