// Real unix sockets that misbehave the ways a real engine cannot be made to on demand: one that
// accepts a connection and closes it at once, one that accepts and never answers.
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface MisbehavingSocket {
  socketPath: string;
  dockerHost: string;
  /** Connections accepted so far. */
  accepted(): number;
  close(): Promise<void>;
}

async function listen(behave: (socket: Socket) => void): Promise<MisbehavingSocket> {
  const dir = mkdtempSync(join(tmpdir(), 'strata-bad-'));
  const socketPath = join(dir, 'engine.sock');
  const open = new Set<Socket>();
  let accepted = 0;
  const server: Server = createServer((socket) => {
    accepted++;
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    socket.on('error', () => {});
    behave(socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, resolve);
  });
  return {
    socketPath,
    dockerHost: `unix://${socketPath}`,
    accepted: () => accepted,
    async close() {
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Accepts, then closes without a byte (the request is read first, as a dying server would). */
export function acceptThenClose(): Promise<MisbehavingSocket> {
  return listen((socket) => socket.once('data', () => socket.destroy()));
}

/** Accepts and reads, and never answers. */
export function silentSocket(): Promise<MisbehavingSocket> {
  return listen((socket) => socket.resume());
}
