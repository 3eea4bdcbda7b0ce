// The browser mode's one WebSocket (/api/socket): the service's events for every listener, and
// calls answered on it, which cost a fraction of a fetch (a round trip of 0.5 ms against 6.5 in
// Chromium on the machine the benchmark runs on). It is open while anyone listens for events,
// as the app does from its start, and reconnects quietly after a drop; a call made while it is
// not open is not taken (the caller sends it by fetch).
import type { Result, SocketCall, SocketReply, StrataEvent } from '../../../src-main/api/contract';
import { ApiError } from './strata-api';

/** The part of the browser's WebSocket this uses. */
export interface BrowserSocket {
  readonly readyState: number;
  onopen: ((event: Event) => void) | null;
  onmessage: ((event: MessageEvent) => void) | null;
  onclose: ((event: CloseEvent) => void) | null;
  onerror: ((event: Event) => void) | null;
  send(data: string): void;
  close(): void;
}

export interface SocketEnvironment {
  WebSocket: new (url: string) => BrowserSocket;
  setTimeout: (callback: () => void, ms: number) => unknown;
}

const OPEN = 1;
const RETRY_FIRST_MS = 500;
const RETRY_MAX_MS = 10_000;
/**
 * Calls longer than this go by fetch: at up to three UTF-8 bytes a character they stay under the
 * server's limit for a message (64 KiB), and a longer one is refused there as over HTTP.
 */
const MAX_CALL_CHARACTERS = 16_384;

interface Pending {
  resolve: (result: Result<unknown>) => void;
  reject: (error: ApiError) => void;
}

export class ServerSocket {
  private readonly listeners = new Set<(event: StrataEvent) => void>();
  private readonly pending = new Map<number, Pending>();
  private socket: BrowserSocket | null = null;
  private retryMs = RETRY_FIRST_MS;
  private lastCall = 0;

  constructor(
    private readonly env: SocketEnvironment,
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

  /** The call's result, sent on the socket; null when it is not open or the call is too long. */
  call(channel: string, request: unknown): Promise<Result<unknown>> | null {
    const socket = this.socket;
    if (socket === null || socket.readyState !== OPEN) return null;
    const call = ++this.lastCall;
    const text = JSON.stringify({ call, channel, request } satisfies SocketCall);
    if (text.length > MAX_CALL_CHARACTERS) return null;
    return new Promise((resolve, reject) => {
      this.pending.set(call, { resolve, reject });
      socket.send(text);
    });
  }

  private connect(): void {
    const socket = new this.env.WebSocket(this.url);
    this.socket = socket;
    socket.onopen = () => {
      this.retryMs = RETRY_FIRST_MS;
    };
    socket.onmessage = (message) => this.receive(String(message.data));
    // An error is followed by close; the retry happens there.
    socket.onerror = () => {};
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.dropPending();
      if (this.listeners.size === 0) return;
      const delay = this.retryMs;
      this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS);
      this.env.setTimeout(() => {
        if (this.socket === null && this.listeners.size > 0) this.connect();
      }, delay);
    };
  }

  private receive(text: string): void {
    let message: StrataEvent | SocketReply;
    try {
      message = JSON.parse(text) as StrataEvent | SocketReply;
    } catch {
      return;
    }
    if (typeof message !== 'object' || message === null) return;
    if ('reply' in message) {
      const pending = this.pending.get(message.reply);
      this.pending.delete(message.reply);
      pending?.resolve(message.result);
      return;
    }
    for (const listener of [...this.listeners]) listener(message);
  }

  /** Calls sent on a socket that closed may or may not have run: each fails, to be tried again. */
  private dropPending(): void {
    const error = new ApiError({
      code: 'disconnected',
      message: 'The connection to the Strata server closed before it answered. Try again.',
    });
    for (const { reject } of this.pending.values()) reject(error);
    this.pending.clear();
  }

  private disconnect(): void {
    const socket = this.socket;
    this.socket = null;
    this.dropPending();
    socket?.close();
  }
}
