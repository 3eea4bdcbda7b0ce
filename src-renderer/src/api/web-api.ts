// StrataApi for the browser mode (`strata web`): calls go to POST /api/call/<channel>, files are
// uploaded to POST /api/upload, events arrive on the WebSocket at /api/events. The session
// token comes in the page's URL once; it is kept in memory and removed from the address bar
// (the server's HttpOnly cookie covers a reload).
import type {
  Channel,
  Request,
  Response,
  Result,
  StrataEvent,
} from '../../../src-main/api/contract';
import type { OpenedImage } from '../../../src-main/api/model';
import { createCompareApi } from './compare-api';
import { createEngineApi } from './engine-api';
import { createExplorerApi } from './explorer-api';
import { ApiError, type StrataApi } from './strata-api';

/** What the web transport needs from the page; tests pass fakes. */
export interface WebEnvironment {
  location: Pick<Location, 'href' | 'host' | 'protocol'>;
  history: Pick<History, 'replaceState' | 'state'>;
  fetch: typeof fetch;
  WebSocket: new (url: string) => EventSocket;
  setTimeout: (callback: () => void, ms: number) => unknown;
}

/** The part of WebSocket the event feed uses. */
export interface EventSocket {
  onopen: ((event: Event) => void) | null;
  onmessage: ((event: MessageEvent) => void) | null;
  onclose: ((event: CloseEvent) => void) | null;
  onerror: ((event: Event) => void) | null;
  close(): void;
}

const TOKEN_PARAM = 'token';
const TOKEN_HEADER = 'X-Strata-Token';
const RETRY_FIRST_MS = 500;
const RETRY_MAX_MS = 10_000;

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
  const result = (await response.json()) as Result<T>;
  if (!result.ok) throw new ApiError(result.error);
  return result.value;
}

/** One WebSocket shared by every listener; reconnects quietly while anyone listens. */
class EventFeed {
  private readonly listeners = new Set<(event: StrataEvent) => void>();
  private socket: EventSocket | null = null;
  private retryMs = RETRY_FIRST_MS;

  constructor(
    private readonly env: WebEnvironment,
    private readonly url: string,
  ) {}

  subscribe(listener: (event: StrataEvent) => void): () => void {
    this.listeners.add(listener);
    if (this.socket === null) this.connect();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.disconnect();
    };
  }

  private connect(): void {
    const socket = new this.env.WebSocket(this.url);
    this.socket = socket;
    socket.onopen = () => {
      this.retryMs = RETRY_FIRST_MS;
    };
    socket.onmessage = (message) => {
      let event: StrataEvent;
      try {
        event = JSON.parse(String(message.data)) as StrataEvent;
      } catch {
        return;
      }
      for (const listener of [...this.listeners]) listener(event);
    };
    // An error is followed by close; the retry happens there.
    socket.onerror = () => {};
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      if (this.listeners.size === 0) return;
      const delay = this.retryMs;
      this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS);
      this.env.setTimeout(() => {
        if (this.socket === null && this.listeners.size > 0) this.connect();
      }, delay);
    };
  }

  private disconnect(): void {
    const socket = this.socket;
    this.socket = null;
    socket?.close();
  }
}

export function createWebApi(env: WebEnvironment = browserEnvironment()): StrataApi {
  const token = takeToken(env);
  const tokenHeaders = (): Record<string, string> => (token ? { [TOKEN_HEADER]: token } : {});

  async function call<C extends Channel>(channel: C, request: Request<C>): Promise<Response<C>> {
    const response = await env.fetch(`/api/call/${channel}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...tokenHeaders() },
      body: JSON.stringify(request),
      credentials: 'same-origin',
    });
    return readResult<Response<C>>(response);
  }

  const wsScheme = env.location.protocol === 'https:' ? 'wss:' : 'ws:';
  const query = token ? `?${TOKEN_PARAM}=${encodeURIComponent(token)}` : '';
  const events = new EventFeed(env, `${wsScheme}//${env.location.host}/api/events${query}`);

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
    async close(handle) {
      await call('image:close', { handle });
    },
    async chooseArchivePath() {
      throw new ApiError({
        code: 'unsupported',
        message: 'The browser has no native Open dialog: choose a file or drop it on the page.',
      });
    },
    onEvent: (listener) => events.subscribe(listener),
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
