// StrataApi for the browser mode (`strata web`): calls go on the WebSocket at /api/socket, where
// events arrive too, or to POST /api/call/<channel> while it is not open; files are uploaded to
// POST /api/upload. The session token comes in the page's URL once; it is kept in memory and
// removed from the address bar (the server's HttpOnly cookie covers a reload).
import type { Channel, Request, Response, Result } from '../../../src-main/api/contract';
import type { OpenedImage } from '../../../src-main/api/model';
import { createCompareApi } from './compare-api';
import { createEngineApi } from './engine-api';
import { createExplorerApi } from './explorer-api';
import { ServerSocket, type SocketEnvironment } from './server-socket';
import { ApiError, type StrataApi } from './strata-api';

/** What the web transport needs from the page; tests pass fakes. */
export interface WebEnvironment extends SocketEnvironment {
  location: Pick<Location, 'href' | 'host' | 'protocol'>;
  history: Pick<History, 'replaceState' | 'state'>;
  fetch: typeof fetch;
}

const TOKEN_PARAM = 'token';
const TOKEN_HEADER = 'X-Strata-Token';

/** Reads `?token=` from the address and removes it from the visible URL (and history). */
export function takeToken(env: Pick<WebEnvironment, 'location' | 'history'>): string | null {
  const url = new URL(env.location.href);
  const token = url.searchParams.get(TOKEN_PARAM);
  if (token === null) return null;
  url.searchParams.delete(TOKEN_PARAM);
  env.history.replaceState(env.history.state, '', `${url.pathname}${url.search}${url.hash}`);
  return token;
}

async function readResult<T>(response: globalThis.Response): Promise<T> {
  const type = response.headers.get('Content-Type') ?? '';
  if (!type.startsWith('application/json')) {
    // A refusal before the API (403 without a valid token, 404): plain text.
    const text = (await response.text()).trim();
    throw new ApiError({
      code: response.status === 403 ? 'forbidden' : 'http',
      message: text || `The Strata server answered ${response.status} ${response.statusText}.`,
    });
  }
  return valueOf((await response.json()) as Result<T>);
}

function valueOf<T>(result: Result<T>): T {
  if (!result.ok) throw new ApiError(result.error);
  return result.value;
}

export function createWebApi(env: WebEnvironment = browserEnvironment()): StrataApi {
  const token = takeToken(env);
  const tokenHeaders = (): Record<string, string> => (token ? { [TOKEN_HEADER]: token } : {});

  const wsScheme = env.location.protocol === 'https:' ? 'wss:' : 'ws:';
  const query = token ? `?${TOKEN_PARAM}=${encodeURIComponent(token)}` : '';
  const socket = new ServerSocket(env, `${wsScheme}//${env.location.host}/api/socket${query}`);

  async function call<C extends Channel>(channel: C, request: Request<C>): Promise<Response<C>> {
    const answer = socket.call(channel, request) as Promise<Result<Response<C>>> | null;
    if (answer) return valueOf(await answer);
    const response = await env.fetch(`/api/call/${channel}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...tokenHeaders() },
      body: JSON.stringify(request),
      credentials: 'same-origin',
    });
    return readResult<Response<C>>(response);
  }

  return {
    transport: 'web',
    hasNativeDialog: false,
    openPath: (path) => call('image:open', { path }),
    async openFile(file: File): Promise<OpenedImage> {
      // The File is sent as the body: the browser streams it from disk.
      const response = await env.fetch(`/api/upload?name=${encodeURIComponent(file.name)}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/octet-stream', ...tokenHeaders() },
        body: file,
        credentials: 'same-origin',
      });
      return readResult<OpenedImage>(response);
    },
    openDemo: () => call('image:openDemo', {}),
    listOpen: () => call('image:list', {}),
    listOpenings: () => call('image:openings', {}),
    async close(handle) {
      await call('image:close', { handle });
    },
    async chooseArchivePath() {
      throw new ApiError({
        code: 'unsupported',
        message: 'The browser has no native Open dialog: choose a file or drop it on the page.',
      });
    },
    onEvent: (listener) => socket.subscribe(listener),
    engine: createEngineApi(call),
    explorer: createExplorerApi(call, 'download'),
    compare: createCompareApi(call),
  };
}

function browserEnvironment(): WebEnvironment {
  return {
    location: window.location,
    history: window.history,
    fetch: window.fetch.bind(window),
    WebSocket: window.WebSocket,
    setTimeout: (callback, ms) => window.setTimeout(callback, ms),
  };
}
