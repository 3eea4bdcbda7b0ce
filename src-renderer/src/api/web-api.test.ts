import { describe, expect, it } from 'vitest';
import type { StrataEvent } from '../../../src-main/api/contract';
import { ApiError } from './strata-api';
import type { BrowserSocket } from './server-socket';
import { createWebApi, takeToken, type WebEnvironment } from './web-api';

interface Sent {
  url: string;
  init: RequestInit;
}

class FakeSocket implements BrowserSocket {
  static opened: FakeSocket[] = [];
  onopen: ((event: Event) => void) | null = null;
  onmessage: ((event: MessageEvent) => void) | null = null;
  onclose: ((event: CloseEvent) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;
  closed = false;
  readyState = 0;
  readonly sent: string[] = [];
  constructor(readonly url: string) {
    FakeSocket.opened.push(this);
  }
  open(): void {
    this.readyState = 1;
    this.onopen?.({} as Event);
  }
  send(data: string): void {
    this.sent.push(data);
  }
  close(): void {
    this.closed = true;
  }
  receive(data: string): void {
    this.onmessage?.({ data } as MessageEvent);
  }
  drop(): void {
    this.readyState = 3;
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
      'ws://127.0.0.1:5/api/socket?token=a%20b',
    ]);
    const event: StrataEvent = { type: 'progress', source: 's', phase: 'done', done: 1, total: 1 };
    FakeSocket.opened[0]?.receive(JSON.stringify(event));
    FakeSocket.opened[0]?.receive('not json');
    FakeSocket.opened[0]?.receive('null');
    FakeSocket.opened[0]?.receive('3');
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

  it('sends calls on the open socket and takes their answers from it, events still to listeners', async () => {
    const { env, sent } = environment('http://127.0.0.1:5/?token=T1', () => json({}));
    const api = createWebApi(env);
    const seen: StrataEvent[] = [];
    api.onEvent((event) => seen.push(event));
    const socket = FakeSocket.opened[0]!;
    socket.open();

    const listed = api.listOpen();
    const opened = api.openPath('/a.tar');
    expect(sent).toEqual([]);
    expect(socket.sent.map((text) => JSON.parse(text) as unknown)).toEqual([
      { call: 1, channel: 'image:list', request: {} },
      { call: 2, channel: 'image:open', request: { path: '/a.tar' } },
    ]);
    // Answered out of order, with an event between: each call gets its own answer.
    socket.receive(
      JSON.stringify({
        reply: 2,
        result: { ok: false, error: { code: 'bad-archive', message: 'm' } },
      }),
    );
    const event: StrataEvent = { type: 'progress', source: 's', phase: 'done', done: 1, total: 1 };
    socket.receive(JSON.stringify(event));
    socket.receive(JSON.stringify({ reply: 1, result: { ok: true, value: [] } }));
    await expect(listed).resolves.toEqual([]);
    await expect(opened).rejects.toEqual(new ApiError({ code: 'bad-archive', message: 'm' }));
    expect(seen).toEqual([event]);
  });

  it('fetches while the socket is not open, and fails a call the socket dropped', async () => {
    const { env, sent } = environment('http://127.0.0.1:5/?token=T1', () =>
      json({ ok: true, value: [] }),
    );
    const api = createWebApi(env);
    api.onEvent(() => {});
    const socket = FakeSocket.opened[0]!;
    expect(await api.listOpen()).toEqual([]);
    expect(sent.map((s) => s.url)).toEqual(['/api/call/image:list']);

    socket.open();
    const pending = api.listOpen();
    expect(socket.sent).toHaveLength(1);
    socket.drop();
    await expect(pending).rejects.toMatchObject({ code: 'disconnected' });
    expect(await api.listOpen()).toEqual([]);
    expect(sent).toHaveLength(2);
  });

  it('sends a call too long for a socket message by fetch', async () => {
    const { env, sent } = environment('http://127.0.0.1:5/?token=T1', () =>
      json({ ok: true, value: { handle: 'h' } }),
    );
    const api = createWebApi(env);
    api.onEvent(() => {});
    FakeSocket.opened[0]!.open();
    await api.openPath(`/${'a'.repeat(20_000)}.tar`);
    expect(FakeSocket.opened[0]!.sent).toEqual([]);
    expect(sent.map((s) => s.url)).toEqual(['/api/call/image:open']);
  });
});
