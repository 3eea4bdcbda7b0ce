// Browser mode (`strata web`): serves the built UI and the StrataApi over HTTP and a WebSocket on
// 127.0.0.1, to whoever holds the session token printed in the URL.
//
//   GET  /, /assets/...          the renderer's build folder (index.html for /)
//   POST /api/call/<channel>     JSON request -> JSON Result<response>, through the shared dispatcher
//   POST /api/upload?name=...    raw archive bytes -> Result<OpenedImage>
//   GET  /api/socket             WebSocket: every service event as JSON, and the same calls as
//                                /api/call (SocketCall -> SocketReply), without a request's cost
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { IncomingMessage, OutgoingHttpHeaders, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex, Readable } from 'node:stream';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import type { Channel, Result, SocketCall, SocketReply, StrataEvent } from '../api/contract';
import type { OpenedImage } from '../api/model';
import { describeError } from '../core/errors';
import { checkAccess, newToken, tokenCookie } from './access';
import { CONTENT_SECURITY_POLICY_HEADER } from './content-security-policy';
import { createDispatcher, fail, isChannel } from './dispatch';
import type { DispatchService } from './dispatch';
import type { StrataService } from '../core/service';
import { lookupStatic } from './static-files';
import { safeFileName, UploadStore } from './uploads';

/** The part of StrataService the server uses (tests pass a fake). */
export interface WebService extends DispatchService, Pick<StrataService, 'openFile'> {
  on(eventName: 'event', listener: (event: StrataEvent) => void): unknown;
  off(eventName: 'event', listener: (event: StrataEvent) => void): unknown;
}

export interface WebServerOptions {
  service: WebService;
  /** 0 picks a free port. */
  port: number;
  /** The renderer's build folder (out/renderer). */
  rendererDir: string;
  /** Where uploads are spooled; default: a fresh folder under the OS temp dir, removed on close. */
  uploadDir?: string;
  /** Largest accepted upload, in bytes (default 64 GiB). */
  maxUploadBytes?: number;
}

export interface WebServer {
  /** `http://127.0.0.1:PORT/?token=...`: what `strata web` prints. */
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const MAX_CALL_BODY_BYTES = 64 * 1024;
const DEFAULT_MAX_UPLOAD_BYTES = 64 * 1024 ** 3;
const SOCKET_PATH = '/api/socket';
/** A call's envelope around its request, which is held to MAX_CALL_BODY_BYTES as over HTTP. */
const MAX_SOCKET_MESSAGE_BYTES = MAX_CALL_BODY_BYTES + 1024;
const CALL_PREFIX = '/api/call/';
const UPLOAD_PATH = '/api/upload';
/** GET ?handle=&layer=&path=: a file of an open image, as a download (the browser's Save As). */
const FILE_PATH = '/api/file';

const SECURITY_HEADERS: OutgoingHttpHeaders = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY_HEADER,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

function splitUrl(url: string | undefined): { path: string; query: URLSearchParams } {
  const raw = url ?? '/';
  const q = raw.indexOf('?');
  return q < 0
    ? { path: raw, query: new URLSearchParams() }
    : { path: raw.slice(0, q), query: new URLSearchParams(raw.slice(q + 1)) };
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
  });
  res.end(text);
}

function sendJson(res: ServerResponse, status: number, body: Result<unknown>): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
  });
  res.end(text);
}

class BodyTooLarge extends Error {}

async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new BodyTooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** `attachment` with an ASCII fallback name and the exact name in RFC 5987 form. */
function contentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

function isJson(req: IncomingMessage): boolean {
  return /^application\/json\s*(;|$)/i.test(req.headers['content-type'] ?? '');
}

export async function startWebServer(opts: WebServerOptions): Promise<WebServer> {
  const { service, rendererDir } = opts;
  const token = newToken();
  const ownUploadDir = opts.uploadDir === undefined;
  const uploadDir = opts.uploadDir ?? (await mkdtemp(join(tmpdir(), 'strata-web-')));
  const uploads = new UploadStore(uploadDir, opts.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES);
  const dispatch = createDispatcher(service, { closed: (handle) => uploads.release(handle) });
  let port = 0;

  async function serveStatic(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    setCookie: boolean,
  ): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return sendText(res, 405, 'Method not allowed.');
    }
    const found = await lookupStatic(rendererDir, path);
    if (found.kind === 'refused') return sendText(res, 403, found.reason);
    if (found.kind === 'missing') return sendText(res, 404, 'Not found.');
    const headers: OutgoingHttpHeaders = {
      ...SECURITY_HEADERS,
      'Content-Type': found.contentType,
      'Content-Length': found.size,
      // The page carries the session's cookie; a hashed asset, kept, spares a reload its
      // download and lets the browser reuse the script's compiled code.
      'Cache-Control': found.isIndex
        ? 'no-store'
        : found.isHashed
          ? 'private, max-age=31536000, immutable'
          : 'no-cache',
    };
    if (setCookie) headers['Set-Cookie'] = tokenCookie(port, token);
    res.writeHead(200, headers);
    if (req.method === 'HEAD') return void res.end();
    createReadStream(found.path)
      .on('error', () => res.destroy())
      .pipe(res);
  }

  async function serveCall(req: IncomingMessage, res: ServerResponse, channel: string) {
    if (req.method !== 'POST') return sendText(res, 405, 'Method not allowed.');
    if (!isJson(req)) {
      return sendJson(res, 415, fail('bad-request', 'The request body must be application/json.'));
    }
    let body: unknown;
    try {
      body = JSON.parse(await readBody(req, MAX_CALL_BODY_BYTES));
    } catch (err) {
      if (err instanceof BodyTooLarge) {
        res.setHeader('Connection', 'close');
        return sendJson(res, 413, fail('limit', `Request bodies are limited to 64 KiB.`));
      }
      return sendJson(res, 400, fail('bad-request', 'The request body is not valid JSON.'));
    }
    // Channel names are plain ASCII (`image:open`); a client may still percent-encode the colon.
    const name = channel.replace(/%3a/gi, ':');
    if (!isChannel(name)) {
      return sendJson(res, 400, fail('bad-request', `Unknown channel ${JSON.stringify(name)}.`));
    }
    const result = await dispatch(name, body);
    sendJson(res, result.ok || result.error.code !== 'bad-request' ? 200 : 400, result);
  }

  /** The reply to a SocketCall; null for a message that is none (nothing to answer). */
  async function answerSocketCall(text: string): Promise<SocketReply | null> {
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      return null;
    }
    if (typeof message !== 'object' || message === null) return null;
    const { call, channel, request } = message as Partial<SocketCall>;
    if (typeof call !== 'number' || !Number.isSafeInteger(call)) return null;
    // The dispatcher refuses a channel that is not one, as it checks every request's shape.
    return { reply: call, result: await dispatch(channel as Channel, request) };
  }

  async function serveUpload(req: IncomingMessage, res: ServerResponse, query: URLSearchParams) {
    if (req.method !== 'POST') return sendText(res, 405, 'Method not allowed.');
    const name = safeFileName(query.get('name'));
    let path: string | undefined;
    try {
      path = await uploads.receive(req, name);
      const opened: OpenedImage = await service.open(path, name);
      uploads.keep(path, opened.handle);
      sendJson(res, 200, { ok: true, value: opened });
    } catch (err) {
      if (path !== undefined) await uploads.discard(path);
      const error = describeError(err);
      // The temp path means nothing to the person who sent the file: name the file instead.
      if (path !== undefined) error.message = error.message.split(path).join(name);
      if (!req.complete) res.setHeader('Connection', 'close');
      sendJson(res, error.code === 'limit' ? 413 : 200, { ok: false, error });
    }
  }

  async function serveFile(req: IncomingMessage, res: ServerResponse, query: URLSearchParams) {
    if (req.method !== 'GET') return sendText(res, 405, 'Method not allowed.');
    const handle = query.get('handle') ?? '';
    const layer = Number(query.get('layer'));
    const path = query.get('path') ?? '';
    let stream: Readable;
    let size: number;
    try {
      ({ stream, size } = await service.openFile(handle, layer, path));
    } catch (err) {
      const { message } = describeError(err);
      return sendText(res, 404, message);
    }
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'Content-Type': 'application/octet-stream',
      'Content-Length': size,
      'Content-Disposition': contentDisposition(basename(path) || 'file'),
      'Cache-Control': 'no-store',
    });
    stream.on('error', () => res.destroy()).pipe(res);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { path, query } = splitUrl(req.url);
    const access = checkAccess(
      { headers: req.headers, queryToken: query.get('token') },
      port,
      token,
    );
    if (!access.ok) return sendText(res, 403, access.reason);
    if (path.startsWith(CALL_PREFIX)) {
      return serveCall(req, res, path.slice(CALL_PREFIX.length));
    }
    if (path === UPLOAD_PATH) return serveUpload(req, res, query);
    if (path === FILE_PATH) return serveFile(req, res, query);
    if (path === '/api' || path.startsWith('/api/')) return sendText(res, 404, 'Not found.');
    return serveStatic(req, res, path, access.tokenFromQuery);
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) sendText(res, 500, 'Internal error.');
      else res.destroy();
    });
  });
  // Uploads of large archives may take longer than Node's default 5-minute request timeout.
  server.requestTimeout = 0;

  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_SOCKET_MESSAGE_BYTES });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const { path, query } = splitUrl(req.url);
    const access = checkAccess(
      { headers: req.headers, queryToken: query.get('token') },
      port,
      token,
    );
    const refusal = !access.ok ? access.reason : path !== SOCKET_PATH ? 'Not found.' : null;
    if (refusal !== null) {
      const status = access.ok ? '404 Not Found' : '403 Forbidden';
      socket.end(
        `HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
          `Content-Length: ${Buffer.byteLength(refusal)}\r\n\r\n${refusal}`,
      );
      return;
    }
    sockets.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      ws.on('error', () => ws.terminate());
      ws.on('message', (data, isBinary) => {
        if (isBinary) return;
        void answerSocketCall(String(data)).then((reply) => {
          if (reply && ws.readyState === ws.OPEN) ws.send(JSON.stringify(reply));
        });
      });
    });
  });

  const forward = (event: StrataEvent): void => {
    const text = JSON.stringify(event);
    for (const client of sockets.clients) {
      if (client.readyState === client.OPEN) client.send(text);
    }
  };
  service.on('event', forward);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;

  let closing: Promise<void> | undefined;
  async function close(): Promise<void> {
    service.off('event', forward);
    for (const client of sockets.clients) client.terminate();
    await new Promise<void>((resolve) => sockets.close(() => resolve()));
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    await uploads.releaseAll();
    if (ownUploadDir) await rm(uploadDir, { recursive: true, force: true });
  }

  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    close: () => (closing ??= close()),
  };
}
