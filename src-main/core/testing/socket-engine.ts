// Test-only: a real unix socket standing in for an engine that misbehaves on purpose (what a
// healthy engine cannot be made to do on demand): each request's head is read, its first line
// recorded, and `answer` writes what the test wants, as it wants, on the raw socket.
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EngineEndpoint } from '../source/engine-endpoint';

export interface SocketEngine {
  endpoint: EngineEndpoint;
  /** Request lines in the order they came: `GET /images/get?names=a%3A1 HTTP/1.1`. */
  requests: string[];
  /** Each request's whole head, its header lines included. */
  heads: string[];
  /** Connections made so far. */
  connections(): number;
  /** Closes every connection and the socket, and removes its folder. */
  close(): Promise<void>;
}

/** `over: 'tcp'` listens on 127.0.0.1 (a plain tcp:// engine) instead of a unix socket. */
export async function socketEngine(
  answer: (socket: Socket, requestLine: string) => unknown,
  over: 'unix' | 'tcp' = 'unix',
): Promise<SocketEngine> {
  const dir = mkdtempSync(join(tmpdir(), 'strata-socket-engine-'));
  const path = join(dir, 'engine.sock');
  const requests: string[] = [];
  const heads: string[] = [];
  const sockets = new Set<Socket>();
  let made = 0;
  const server = createServer((socket) => {
    made++;
    sockets.add(socket);
    socket.on('error', () => {});
    let head = '';
    const onData = (data: Buffer): void => {
      head += data.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      socket.off('data', onData);
      const line = head.slice(0, head.indexOf('\r\n'));
      requests.push(line);
      heads.push(head.slice(0, head.indexOf('\r\n\r\n')));
      void answer(socket, line);
    };
    socket.on('data', onData);
  });
  await new Promise<void>((resolve) =>
    over === 'tcp' ? server.listen(0, '127.0.0.1', resolve) : server.listen(path, resolve),
  );
  const address = server.address();
  const host =
    over === 'tcp' && typeof address === 'object' && address
      ? `tcp://127.0.0.1:${address.port}`
      : `unix://${path}`;
  return {
    endpoint: {
      id: `docker:${host}`,
      kind: 'docker',
      name: 'test',
      host,
      origin: 'DOCKER_HOST',
      tls: null,
    },
    requests,
    heads,
    connections: () => made,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
