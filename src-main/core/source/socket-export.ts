// The export read straight off the engine's socket. An export is the one answer that moves
// gigabytes, and Node's HTTP client reads every piece of it into new memory, whose first touch
// costs a page fault (a 204 MB export: 0.45 CPU-s, against 0.14 read into reused memory), CPU
// that the indexing beside it needs. So this one GET is sent and its answer read here, over unix
// sockets, Windows pipes and plain tcp, into blocks read into again once recycled; every other
// call, and TLS and ssh engines, go through dockerode. Body bytes are views of those blocks.
import { connect, type NetConnectOpts, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import { parseHost, type EngineEndpoint } from './engine-endpoint';
import type { HttpFailure } from './engine-errors';

/** How to reach the endpoint with a plain socket, or null when it needs TLS or ssh. */
export function plainSocketOf(endpoint: EngineEndpoint): NetConnectOpts | null {
  const parsed = parseHost(endpoint.host);
  if (parsed.scheme === 'unix') return { path: parsed.path };
  // npipe:////./pipe/docker_engine names \\.\pipe\docker_engine.
  if (parsed.scheme === 'npipe') return { path: parsed.path.replace(/\//g, '\\') };
  if (parsed.scheme === 'tcp' && !endpoint.tls) return { host: parsed.hostname, port: parsed.port };
  return null;
}

export interface SocketGetOptions {
  signal?: AbortSignal;
  /** The socket may stay silent this long, before the answer and during it. */
  idleMs: number;
  /** The error a silence during the body ends it with (a silence before the head: SocketTimeout). */
  onIdle: () => Error;
}

/** Thrown for a silence before the answer's head. */
export class SocketTimeout extends Error {
  readonly timedOut = true;
}

const SLAB_BYTES = 4 * 1024 * 1024;
const MAX_READ = 1024 * 1024;
const MIN_READ = 64 * 1024;
/** Free slabs kept for reading into again (the writer of an export holds up to 32 MiB). */
const MAX_FREE_SLABS = 12;
const MAX_HEAD = 64 * 1024;
const MAX_ERROR_BODY = 64 * 1024;
const MAX_CHUNK_LINE = 1024;

/**
 * `GET path` on a connection of its own (closed after the answer). Resolves with the body of a
 * 200 answer as a stream, once the head is in; rejects with an HttpFailure for any other status,
 * with the socket's error, or with a SocketTimeout.
 */
export function socketGet(
  target: NetConnectOpts,
  path: string,
  options: SocketGetOptions,
): Promise<Readable> {
  return new Promise<Readable>((resolve, reject) => {
    const slabs = new SlabReader();
    const answer = new AnswerReader();
    let body: BodyStream | null = null;
    const socket: Socket = connect({
      ...target,
      onread: {
        buffer: () => slabs.next(),
        callback: (length, buffer) => {
          slabs.filled(length);
          try {
            return answer.read(Buffer.from(buffer.buffer, buffer.byteOffset, length));
          } catch (err) {
            fail(err as Error);
            return false;
          }
        },
      },
    } as NetConnectOpts);
    const fail = (err: Error): void => {
      if (body) body.destroy(err);
      else reject(err);
      socket.destroy();
    };
    answer.onHead = (status) => {
      if (status !== 200) return;
      body = new BodyStream(socket);
      resolve(body);
    };
    answer.onBody = (piece) => {
      slabs.handedOut(piece);
      return body!.push(piece);
    };
    answer.onEnd = (status, errorBody) => {
      // Asked with Connection: close, so nothing more comes.
      socket.setTimeout(0);
      socket.destroy();
      if (status === 200) body!.push(null);
      else reject(httpFailure(status, errorBody));
    };
    const abort = (): void => fail(options.signal!.reason as Error);
    if (options.signal?.aborted) return abort();
    options.signal?.addEventListener('abort', abort, { once: true });
    socket.setTimeout(options.idleMs, () =>
      fail(body ? options.onIdle() : new SocketTimeout('no answer')),
    );
    // A tcp engine is asked by its address, as an HTTP client would; a socket by a name, as the
    // docker CLI does.
    const tcp = target as { host?: string; port?: number };
    const host = tcp.host ? `${tcp.host}:${tcp.port}` : 'docker';
    socket.once('connect', () => {
      socket.write(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
    });
    socket.on('error', fail);
    socket.once('close', () => {
      options.signal?.removeEventListener('abort', abort);
      answer.closed();
      if (!answer.done) {
        fail(
          Object.assign(
            new Error(
              answer.status
                ? 'the connection closed before the answer ended'
                : 'the connection closed without an answer',
            ),
            { code: answer.status ? 'ECONNRESET' : 'ERR_STREAM_PREMATURE_CLOSE' },
          ),
        );
      }
    });
  });
}

/**
 * Says that a chunk of an export's body is no longer used by anyone, so that its memory may be
 * read into again (a chunk from elsewhere is ignored). Memory read into once more costs nothing,
 * while new memory costs a page fault per 4 KiB: on a VM, that was 0.3 CPU-s of every 204 MB
 * read, more than the reads. A chunk never recycled is never written again.
 */
export function recycle(chunk: Buffer): void {
  slabOf.get(chunk.buffer)?.release(chunk.length);
}

const slabOf = new WeakMap<ArrayBufferLike, Slab>();

/** A block the socket reads into, piece after piece; free again once every piece given out is back. */
class Slab {
  readonly bytes = Buffer.allocUnsafeSlow(SLAB_BYTES);
  /** Bytes read into it so far. */
  used = 0;
  /** Bytes of it given out as body, and given back. */
  out = 0;
  back = 0;
  /** No more reads go into it. */
  sealed = false;

  constructor(private readonly free: Slab[]) {
    slabOf.set(this.bytes.buffer, this);
  }

  release(length: number): void {
    this.back += length;
    this.reuseIfDone();
  }

  reuseIfDone(): void {
    if (!this.sealed || this.back < this.out || this.free.length >= MAX_FREE_SLABS) return;
    this.used = this.out = this.back = 0;
    this.sealed = false;
    this.free.push(this);
  }
}

/** Where the socket reads next: the rest of the current slab, else a free one, else a new one. */
class SlabReader {
  private readonly free: Slab[] = [];
  private current: Slab = new Slab(this.free);

  next(): Buffer {
    const slab = this.current;
    if (slab.bytes.length - slab.used < MIN_READ) {
      slab.sealed = true;
      this.current = this.free.pop() ?? new Slab(this.free);
      slab.reuseIfDone();
    }
    const { bytes, used } = this.current;
    return bytes.subarray(used, used + MAX_READ);
  }

  filled(length: number): void {
    this.current.used += length;
  }

  handedOut(piece: Buffer): void {
    this.current.out += piece.length;
  }
}

/** The body of a 200 answer: pushed by the socket's reads, which pause while it is full. */
class BodyStream extends Readable {
  constructor(private readonly socket: Socket) {
    super({ highWaterMark: 4 * 1024 * 1024 });
    // A failure can come in the read that brought the head, before the caller holds the stream:
    // it stays on the stream (`errored`) for the caller to find, rather than crash the process.
    this.on('error', () => {});
  }

  override _read(): void {
    this.socket.resume();
  }

  override _destroy(err: Error | null, callback: (err: Error | null) => void): void {
    this.socket.destroy();
    callback(err);
  }
}

function httpFailure(status: number, bytes: Buffer): Error & HttpFailure {
  const text = bytes.toString('utf8');
  let json: unknown = text;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON: the text itself is the engine's message
  }
  return Object.assign(new Error(`(HTTP code ${status}) ${text.trim()}`), {
    statusCode: status,
    json,
  });
}

/**
 * An HTTP/1.1 answer read as its bytes arrive: the head, then the body by Content-Length, by
 * chunks, or until the connection closes. `read` returns false when the body's reader is full.
 */
class AnswerReader {
  status = 0;
  done = false;
  onHead: (status: number) => void = () => {};
  onBody: (piece: Buffer) => boolean = () => true;
  onEnd: (status: number, errorBody: Buffer) => void = () => {};
  private head: Buffer[] = [];
  private headBytes = 0;
  private framing: 'length' | 'chunked' | 'close' = 'close';
  private left = 0;
  private chunkState: 'size' | 'data' | 'data-end' | 'trailer' = 'size';
  private line = '';
  private errorBody: Buffer[] = [];
  private errorBytes = 0;

  read(bytes: Buffer): boolean {
    if (this.done) return true;
    if (!this.status) {
      const rest = this.readHead(bytes);
      if (!rest || this.done) return true;
      bytes = rest;
    }
    return this.framing === 'chunked' ? this.readChunks(bytes) : this.readPlain(bytes);
  }

  /** The bytes after the head once it is complete, else null. */
  private readHead(bytes: Buffer): Buffer | null {
    this.head.push(bytes);
    this.headBytes += bytes.length;
    const all = Buffer.concat(this.head);
    const end = all.indexOf('\r\n\r\n', Math.max(0, this.headBytes - bytes.length - 3), 'latin1');
    if (end < 0) {
      if (this.headBytes > MAX_HEAD) throw notHttp('its head never ends');
      this.head = [all];
      return null;
    }
    this.head = [];
    const lines = all.subarray(0, end).toString('latin1').split('\r\n');
    const status = /^HTTP\/1\.[01] (\d{3})(?: |$)/.exec(lines[0]!);
    if (!status) throw notHttp(`it begins "${lines[0]!.slice(0, 40)}"`);
    const headers = new Map<string, string>();
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      if (colon > 0)
        headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
    const code = Number(status[1]);
    // 1xx answers (100 Continue) come before the real one.
    if (code < 200) {
      this.headBytes = 0;
      return this.readHead(all.subarray(end + 4));
    }
    this.status = code;
    const length = headers.get('content-length');
    if (/chunked/i.test(headers.get('transfer-encoding') ?? '')) this.framing = 'chunked';
    else if (length !== undefined) {
      if (!/^\d+$/.test(length)) throw notHttp(`its Content-Length is "${length.slice(0, 40)}"`);
      this.framing = 'length';
      this.left = Number(length);
    }
    this.onHead(code);
    const rest = all.subarray(end + 4);
    if (this.framing === 'length' && this.left === 0) this.finish();
    return rest;
  }

  private readPlain(bytes: Buffer): boolean {
    let piece = bytes;
    if (this.framing === 'length') {
      piece = bytes.subarray(0, this.left);
      this.left -= piece.length;
    }
    const more = piece.length ? this.deliver(piece) : true;
    if (this.framing === 'length' && this.left === 0) this.finish();
    return more;
  }

  private readChunks(bytes: Buffer): boolean {
    let more = true;
    let at = 0;
    while (at < bytes.length && !this.done) {
      if (this.chunkState === 'data') {
        const piece = bytes.subarray(at, at + this.left);
        at += piece.length;
        this.left -= piece.length;
        more = this.deliver(piece) && more;
        if (this.left === 0) this.chunkState = 'data-end';
        continue;
      }
      const nl = bytes.indexOf(10, at);
      const end = nl < 0 ? bytes.length : nl;
      this.line += bytes.toString('latin1', at, end);
      at = end + 1;
      if (this.line.length > MAX_CHUNK_LINE) throw notHttp('a chunk line is too long');
      if (nl < 0) break;
      const line = this.line.replace(/\r$/, '');
      this.line = '';
      if (this.chunkState === 'data-end') {
        if (line !== '') throw notHttp('a chunk does not end where its size says');
        this.chunkState = 'size';
      } else if (this.chunkState === 'size') {
        const size = /^([0-9a-fA-F]{1,12})(?:[ \t]*;.*)?$/.exec(line);
        if (!size) throw notHttp(`a chunk size reads "${line.slice(0, 40)}"`);
        this.left = parseInt(size[1]!, 16);
        this.chunkState = this.left === 0 ? 'trailer' : 'data';
      } else if (line === '') this.finish();
    }
    return more;
  }

  private deliver(piece: Buffer): boolean {
    if (this.status === 200) return this.onBody(piece);
    if (this.errorBytes < MAX_ERROR_BODY) {
      this.errorBody.push(Buffer.from(piece.subarray(0, MAX_ERROR_BODY - this.errorBytes)));
      this.errorBytes += piece.length;
    }
    return true;
  }

  /** The connection closed: the end of a body framed by it. */
  closed(): void {
    if (!this.done && this.status && this.framing === 'close') this.finish();
  }

  private finish(): void {
    this.done = true;
    this.onEnd(this.status, Buffer.concat(this.errorBody));
  }
}

function notHttp(problem: string): Error {
  return Object.assign(new Error(`the answer is not HTTP (${problem})`), {
    code: 'HPE_INVALID_CONSTANT',
  });
}
