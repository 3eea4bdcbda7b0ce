// The export read off the socket, against real unix sockets that answer in awkward pieces, with
// framings a healthy engine does not happen to use on demand, or not at all: every byte of the
// body must come through, and memory recycled must never change a chunk still held.
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { EngineClient } from './engine-client';
import type { EngineEndpoint } from './engine-endpoint';
import { recycle } from './socket-export';
import { chunksOf } from '../io/stream-chunks';
import { socketEngine, type SocketEngine } from '../testing/socket-engine';

let server: SocketEngine | null = null;
let requests: string[] = [];

afterEach(async () => {
  await server?.close();
  server = null;
});

/** An engine whose answer `answer` writes on the socket, after the request's head. */
async function engine(
  answer: (socket: Socket) => unknown,
  over: 'unix' | 'tcp' = 'unix',
): Promise<EngineEndpoint> {
  await server?.close();
  server = await socketEngine((socket) => answer(socket), over);
  requests = server.requests;
  return server.endpoint;
}

/** Writes `text` a few bytes at a time, so that every boundary falls somewhere odd. */
async function dribble(socket: Socket, text: string | Buffer, piece = 3): Promise<void> {
  const bytes = Buffer.isBuffer(text) ? text : Buffer.from(text, 'latin1');
  for (let at = 0; at < bytes.length; at += piece) {
    socket.write(bytes.subarray(at, at + piece));
    await sleep(1);
  }
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

const OK_CHUNKED =
  'HTTP/1.1 200 OK\r\nContent-Type: application/x-tar\r\nTransfer-Encoding: chunked\r\n\r\n';

describe('the export read off the socket', () => {
  it('asks for the image by name, under a pinned API version', async () => {
    const endpoint = await engine((socket) => socket.end(`${OK_CHUNKED}0\r\n\r\n`));
    const client = new EngineClient(endpoint, { apiVersion: '1.41', env: {} });
    expect((await readAll(await client.exportImage('alpine:3'))).length).toBe(0);
    expect(requests).toEqual(['GET /v1.41/images/get?names=alpine%3A3 HTTP/1.1']);
  });

  it('reads an export from a plain tcp engine as from a socket', async () => {
    const endpoint = await engine(
      (socket) => socket.end(`${OK_CHUNKED}5\r\nhello\r\n0\r\n\r\n`),
      'tcp',
    );
    expect(endpoint.host).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    const stream = await new EngineClient(endpoint, { env: {} }).exportImage('alpine:3');
    expect((await readAll(stream)).toString()).toBe('hello');
    expect(requests).toEqual(['GET /images/get?names=alpine%3A3 HTTP/1.1']);
    // Read by Strata's own reader (dockerode's client keeps its connections alive).
    expect(server!.heads[0]).toContain('\r\nConnection: close');
    expect(server!.heads[0]).toContain(`\r\nHost: ${endpoint.host.slice('tcp://'.length)}\r\n`);
  });

  it('reads a chunked body that arrives in pieces of three bytes, with extensions and trailers', async () => {
    const body = 'first piece|second, longer piece of the body|3rd';
    const endpoint = await engine(async (socket) => {
      await dribble(
        socket,
        'HTTP/1.1 100 Continue\r\n\r\n' +
          OK_CHUNKED +
          'b;name=value\r\nfirst piece\r\n' +
          '21\r\n|second, longer piece of the body\r\n' +
          '4 ; x\r\n|3rd\r\n' +
          '0\r\nX-Trailer: yes\r\n\r\n',
      );
      // Connection: close was asked for, but an engine may keep it open: the body still ends.
    });
    const stream = await new EngineClient(endpoint, { env: {} }).exportImage('alpine:3');
    expect((await readAll(stream)).toString('latin1')).toBe(body);
  });

  it('reads a body framed by its length, and one that ends with the connection', async () => {
    const body = Buffer.alloc(70_000, 7);
    const byLength = await engine(async (socket) => {
      await dribble(socket, `HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n`);
      socket.write(body);
    });
    const client = new EngineClient(byLength, { env: {} });
    expect((await readAll(await client.exportImage('a:1'))).equals(body)).toBe(true);
    const byClose = await engine((socket) =>
      socket.end(Buffer.concat([Buffer.from('HTTP/1.0 200 OK\r\n\r\n'), body])),
    );
    const closing = new EngineClient(byClose, { env: {} });
    expect((await readAll(await closing.exportImage('a:1'))).equals(body)).toBe(true);
  });

  it("turns an error answer into the engine's own words", async () => {
    const endpoint = await engine(async (socket) => {
      const text = JSON.stringify({ message: 'reference does not exist' });
      await dribble(
        socket,
        `HTTP/1.1 404 Not Found\r\nContent-Length: ${text.length}\r\n\r\n${text}`,
        7,
      );
    });
    await expect(
      new EngineClient(endpoint, { env: {} }).exportImage('nope:1'),
    ).rejects.toMatchObject({
      code: 'not-found',
      message: expect.stringContaining('No image "nope:1"') as unknown,
    });
  });

  it('fails a body cut short, a chunk that overruns its size, and an answer that is not HTTP', async () => {
    const cut = await engine((socket) => socket.end(`${OK_CHUNKED}400\r\n${'x'.repeat(100)}`));
    const stream = await new EngineClient(cut, { env: {} }).exportImage('a:1');
    await expect(readAll(stream)).rejects.toThrow(/closed before the answer ended/);

    const overrun = await engine((socket) => socket.end(`${OK_CHUNKED}2\r\nabcd\r\n0\r\n\r\n`));
    const overrunning = await new EngineClient(overrun, { env: {} }).exportImage('a:1');
    await expect(readAll(overrunning)).rejects.toThrow(/a chunk does not end where its size says/);

    const ssh = await engine((socket) => socket.end('SSH-2.0-OpenSSH_9.2\r\n\r\n'));
    await expect(new EngineClient(ssh, { env: {} }).exportImage('a:1')).rejects.toMatchObject({
      code: 'engine-unavailable',
      message: expect.stringContaining('closed the connection without answering') as unknown,
    });
  });

  it('gives up on an engine that never answers, and cancels with the signal', async () => {
    const silent = await engine(() => {});
    const client = new EngineClient(silent, { exportIdleMs: 300, env: {} });
    await expect(client.exportImage('a:1')).rejects.toMatchObject({
      code: 'engine-unavailable',
      message: expect.stringContaining('did not answer (export a:1) within 0 s') as unknown,
    });
    const controller = new AbortController();
    const pending = new EngineClient(silent, { env: {} }).exportImage('a:1', {
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 50);
    await expect(pending).rejects.toMatchObject({ code: 'cancelled' });
  });

  it('reads into recycled memory again, and never into a chunk still held', async () => {
    // 96 MiB whose every 4-byte word is its own offset, sent as chunks of 1 MiB.
    const total = 96 * 1024 * 1024;
    const piece = 1024 * 1024;
    const pattern = (offset: number): Buffer => {
      const bytes = Buffer.allocUnsafe(piece);
      for (let i = 0; i < piece; i += 4) bytes.writeUInt32LE(offset + i, i);
      return bytes;
    };
    const endpoint = await engine(async (socket) => {
      socket.write(OK_CHUNKED);
      for (let at = 0; at < total; at += piece) {
        socket.write(`${piece.toString(16)}\r\n`);
        socket.write(pattern(at));
        const more = socket.write('\r\n');
        if (!more) await new Promise((resolve) => socket.once('drain', resolve));
      }
      socket.end('0\r\n\r\n');
    });
    const stream = await new EngineClient(endpoint, { env: {} }).exportImage('a:1');
    const held: { at: number; chunk: Buffer }[] = [];
    const memory = new Set<ArrayBufferLike>();
    let at = 0;
    let n = 0;
    for await (const chunk of chunksOf(stream)) {
      memory.add(chunk.buffer);
      // Every 200th chunk is kept to the end, the others given back at once.
      if (n++ % 200 === 0) held.push({ at, chunk });
      else recycle(chunk);
      at += chunk.length;
    }
    expect(at).toBe(total);
    for (const { at: offset, chunk } of held) {
      // Chunks start anywhere: compare each whole word that lies in the chunk.
      const first = (4 - (offset % 4)) % 4;
      for (let i = first; i + 4 <= chunk.length; i += 4) {
        if (chunk.readUInt32LE(i) !== offset + i)
          throw new Error(`held chunk at ${offset} changed at ${i}`);
      }
    }
    // New memory for every 4 MiB read would be 24 blocks; the held chunks pin a few of them.
    expect(memory.size).toBeLessThan(12);
  });
});
