// A real unix-socket proxy in front of a real engine socket, for the engine-source tests: it
// records every request line (so a test can prove an export was or was not asked for), counts
// open connections (so a test can prove a cancelled export left none), and can misbehave on
// purpose where a real engine never would: hold a request, cut an answer short, or answer garbage.
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SocketProxy {
  /** `unix:///…/proxy.sock`: a DOCKER_HOST value. */
  dockerHost: string;
  socketPath: string;
  /** Request lines seen so far, in order: `GET /v1.41/images/json HTTP/1.1`. */
  requests: string[];
  /** Connections open right now whose last request matches `pattern` (all when omitted). */
  openConnections(pattern?: RegExp): number;
  /** Holds the next request matching `pattern` until `release()`; `seen` resolves when it arrives. */
  hold(pattern: RegExp): { seen: Promise<void>; release(): void };
  /**
   * Cuts the answer to the next request matching `pattern` after `bytes` bytes: `beforeCut`
   * runs first (while the engine is still sending), then both sides are closed.
   */
  cutAfter(pattern: RegExp, bytes: number, beforeCut?: () => Promise<void>): void;
  /**
   * Passes answers on at no more than `bytesPerSecond` (0: no limit), so that an export lasts
   * long enough for a person, or a test, to watch it and to cancel it.
   */
  throttle(bytesPerSecond: number): void;
  /**
   * Answers every request matching `pattern` itself with `raw` (a whole HTTP answer, headers
   * and body), never passing it to the engine: an engine that sends garbage.
   */
  answer(pattern: RegExp, raw: string): void;
  close(): Promise<void>;
}

interface Held {
  pattern: RegExp;
  arrived: () => void;
  released: Promise<void>;
}

interface Cut {
  pattern: RegExp;
  bytes: number;
  beforeCut?: () => Promise<void>;
}

export async function startSocketProxy(targetSocket: string): Promise<SocketProxy> {
  const dir = mkdtempSync(join(tmpdir(), 'strata-px-'));
  const socketPath = join(dir, 'proxy.sock');
  const requests: string[] = [];
  const connections = new Map<Socket, { last: string }>();
  const holds: Held[] = [];
  const cuts: Cut[] = [];
  const answers: { pattern: RegExp; raw: string }[] = [];
  let rate = 0;

  const server: Server = createServer((client) => {
    const upstream = createConnection(targetSocket);
    const state = { last: '' };
    connections.set(client, state);
    let buffered = '';
    let chain = Promise.resolve();
    let cut: Cut | null = null;
    let sent = 0;
    let cutting = false;

    const closeBoth = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', () => {
      connections.delete(client);
      upstream.destroy();
    });
    // An engine that ends the connection (an answer asked with Connection: close) has the rest
    // of the answer passed on first; one that fails closes both at once.
    upstream.on('end', () => client.end());
    upstream.on('close', (hadError) => {
      if (hadError) client.destroy();
    });
    client.on('error', closeBoth);
    upstream.on('error', closeBoth);

    // Client to engine: requests have no bodies here (GETs), so each ends at a blank line.
    client.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('latin1');
      let end: number;
      while ((end = buffered.indexOf('\r\n\r\n')) >= 0) {
        const head = buffered.slice(0, end + 4);
        buffered = buffered.slice(end + 4);
        const line = head.slice(0, head.indexOf('\r\n'));
        chain = chain.then(async () => {
          requests.push(line);
          state.last = line;
          const held = holds.findIndex((h) => h.pattern.test(line));
          if (held >= 0) {
            const [h] = holds.splice(held, 1);
            h!.arrived();
            await h!.released;
          }
          const own = answers.find((a) => a.pattern.test(line));
          if (own) {
            client.write(own.raw, 'latin1');
            return;
          }
          const c = cuts.findIndex((x) => x.pattern.test(line));
          if (c >= 0) {
            cut = cuts.splice(c, 1)[0]!;
            sent = 0;
          }
          if (!upstream.destroyed) upstream.write(head, 'latin1');
        });
      }
    });

    // Engine to client, slowed down or cut short when asked.
    upstream.on('data', (chunk: Buffer) => {
      if (cutting) return;
      if (!cut) {
        client.write(chunk);
        if (rate > 0) {
          upstream.pause();
          setTimeout(() => upstream.resume(), (chunk.length / rate) * 1000);
        }
        return;
      }
      const room = cut.bytes - sent;
      if (chunk.length < room) {
        sent += chunk.length;
        client.write(chunk);
        return;
      }
      cutting = true;
      client.write(chunk.subarray(0, room));
      upstream.pause();
      const before = cut.beforeCut ?? (async () => {});
      void before().finally(closeBoth);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, resolve);
  });

  return {
    dockerHost: `unix://${socketPath}`,
    socketPath,
    requests,
    openConnections(pattern) {
      let n = 0;
      for (const state of connections.values()) if (!pattern || pattern.test(state.last)) n++;
      return n;
    },
    hold(pattern) {
      let arrived!: () => void;
      let release!: () => void;
      const seen = new Promise<void>((r) => (arrived = r));
      const released = new Promise<void>((r) => (release = r));
      holds.push({ pattern, arrived, released });
      return { seen, release };
    },
    cutAfter(pattern, bytes, beforeCut) {
      cuts.push({ pattern, bytes, beforeCut });
    },
    throttle(bytesPerSecond) {
      rate = bytesPerSecond;
    },
    answer(pattern, raw) {
      answers.push({ pattern, raw });
    },
    async close() {
      for (const socket of connections.keys()) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
