import { describe, expect, it } from 'vitest';
import type { StrataEvent } from '../../../src-main/api/contract';
import { ApiError } from './strata-api';
import { createWebApi, takeToken, type EventSocket, type WebEnvironment } from './web-api';

interface Sent {
  url: string;
  init: RequestInit;
}

class FakeSocket implements EventSocket {
  static opened: FakeSocket[] = [];
  onopen: ((event: Event) => void) | null = null;
  onmessage: ((event: MessageEvent) => void) | null = null;
  onclose: ((event: CloseEvent) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;
  closed = false;
  constructor(readonly url: string) {
    FakeSocket.opened.push(this);
  }
  close(): void {
    this.closed = true;
  }
  receive(data: string): void {
    this.onmessage?.({ data } as MessageEvent);
  }
  drop(): void {
    this.onclose?.({} as CloseEvent);
  }
}

function environment(href: string, answer: (url: string) => globalThis.Response) {
  const sent: Sent[] = [];
  const replaced: string[] = [];
  const timers: (() => void)[] = [];
  FakeSocket.opened = [];
  const url = new URL(href);
  const env: WebEnvironment = {
    location: { href, host: url.host, protocol: url.protocol },
    history: { state: null, replaceState: (_state, _unused, to) => void replaced.push(String(to)) },
    fetch: async (input, init) => {
      sent.push({ url: String(input), init: init ?? {} });
      return answer(String(input));
    },
    WebSocket: FakeSocket,
    setTimeout: (callback) => void timers.push(callback),
  };
  return { env, sent, replaced, timers };
}

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json; charset=utf-8' },
  });

describe('takeToken', () => {
  it('reads the token and strips it from the visible URL, keeping the rest', () => {
    const { env, replaced } = environment('http://127.0.0.1:5/?token=abc&x=1#top', () => json({}));
    expect(takeToken(env)).toBe('abc');
    expect(replaced).toEqual(['/?x=1#top']);
  });

  it('leaves a URL without a token alone', () => {
    const { env, replaced } = environment('http://127.0.0.1:5/', () => json({}));
    expect(takeToken(env)).toBeNull();
    expect(replaced).toEqual([]);
  });
});

describe('createWebApi', () => {
  it('posts JSON calls with the token header and unwraps the result', async () => {
    const { env, sent } = environment('http://127.0.0.1:5/?token=T1', () =>
      json({ ok: true, value: [] }),
    );
    const api = createWebApi(env);
    expect(api.transport).toBe('web');
    expect(api.hasNativeDialog).toBe(false);
    expect(await api.listOpen()).toEqual([]);
    expect(sent[0]?.url).toBe('/api/call/image:list');
    expect(sent[0]?.init.method).toBe('POST');
    expect(sent[0]?.init.body).toBe('{}');
    expect(sent[0]?.init.headers).toEqual({
      'Content-Type': 'application/json',
      'X-Strata-Token': 'T1',
    });
  });

  it('throws ApiError for {ok:false} and for a plain-text refusal', async () => {
    const { env } = environment('http://127.0.0.1:5/?token=T1', (url) =>
      url.endsWith('/image:open')
        ? json({ ok: false, error: { code: 'bad-archive', message: 'a.tar: not a tar' } })
        : new Response('Forbidden: missing or wrong token.', {
            status: 403,
            headers: { 'Content-Type': 'text/plain' },
          }),
    );
    const api = createWebApi(env);
    await expect(api.openPath('/a.tar')).rejects.toEqual(
      new ApiError({ code: 'bad-archive', message: 'a.tar: not a tar' }),
    );
    const refused = await api.openDemo().catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(ApiError);
    expect(refused).toMatchObject({
      code: 'forbidden',
      message: 'Forbidden: missing or wrong token.',
    });
    await expect(api.chooseArchivePath()).rejects.toMatchObject({ code: 'unsupported' });
  });

  it('uploads a File as the raw body, named in the query', async () => {
    const { env, sent } = environment('http://127.0.0.1:5/?token=T1', () =>
      json({ ok: true, value: { handle: 'h' } }),
    );
    const file = new File(['bytes'], 'my image.tar');
    await createWebApi(env).openFile(file);
    expect(sent[0]?.url).toBe('/api/upload?name=my%20image.tar');
    expect(sent[0]?.init.body).toBe(file);
    expect(sent[0]?.init.headers).toMatchObject({ 'X-Strata-Token': 'T1' });
  });

  it('shares one event socket, reconnects after a drop, and closes with the last listener', () => {
    const { env, timers } = environment('http://127.0.0.1:5/?token=a+b', () => json({}));
    const api = createWebApi(env);
    const seen: StrataEvent[] = [];
    const stopFirst = api.onEvent((event) => seen.push(event));
    const stopSecond = api.onEvent(() => {});
    expect(FakeSocket.opened.map((s) => s.url)).toEqual([
      'ws://127.0.0.1:5/api/events?token=a%20b',
    ]);
    const event: StrataEvent = { type: 'progress', source: 's', phase: 'done', done: 1, total: 1 };
    FakeSocket.opened[0]?.receive(JSON.stringify(event));
    FakeSocket.opened[0]?.receive('not json');
    expect(seen).toEqual([event]);

    FakeSocket.opened[0]?.drop();
    expect(FakeSocket.opened).toHaveLength(1);
    timers.shift()?.();
    expect(FakeSocket.opened).toHaveLength(2);

    stopFirst();
    expect(FakeSocket.opened[1]?.closed).toBe(false);
    stopSecond();
    expect(FakeSocket.opened[1]?.closed).toBe(true);
  });
});
