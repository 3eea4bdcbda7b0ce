// The client against real unix sockets that answer the way a broken or stuck engine would
// (what a healthy engine cannot be made to do on demand): an export that stalls after its first
// bytes, error answers, an answer that is not an engine's.
import { afterEach, describe, expect, it } from 'vitest';
import { EngineClient } from './engine-client';
import type { EngineEndpoint } from './engine-endpoint';
import { socketEngine, type SocketEngine } from '../testing/socket-engine';

let engine: SocketEngine | null = null;

afterEach(async () => {
  await engine?.close();
  engine = null;
});

/** A socket answering every request with `answer(requestLine)` (raw HTTP), then staying open. */
async function engineAnswering(answer: (line: string) => string): Promise<EngineEndpoint> {
  engine = await socketEngine((socket, line) => socket.write(answer(line)));
  return engine.endpoint;
}

const json = (status: string, body: unknown) => {
  const text = JSON.stringify(body);
  return `HTTP/1.1 ${status}\r\nContent-Type: application/json\r\nContent-Length: ${text.length}\r\n\r\n${text}`;
};

describe('EngineClient with a misbehaving engine', () => {
  it('fails an export that stalls after it began, within the idle limit', async () => {
    const endpoint = await engineAnswering(
      () =>
        'HTTP/1.1 200 OK\r\nContent-Type: application/x-tar\r\nTransfer-Encoding: chunked\r\n\r\n200\r\n' +
        'x'.repeat(512) +
        '\r\n',
    );
    const client = new EngineClient(endpoint, { exportIdleMs: 700, env: {} });
    const stream = await client.exportImage('alpine:3');
    const started = Date.now();
    let bytes = 0;
    const error = await (async () => {
      try {
        for await (const chunk of stream as AsyncIterable<Buffer>) bytes += chunk.length;
      } catch (err) {
        return err as Error;
      }
      return null;
    })();
    expect(bytes).toBe(512);
    expect(error?.message).toMatch(/sent nothing for 1 s \(export alpine:3\): the engine is stuck/);
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it("passes the engine's own words along with the status", async () => {
    const endpoint = await engineAnswering(() =>
      json('500 Internal Server Error', { message: 'disk full' }),
    );
    await expect(new EngineClient(endpoint, { env: {} }).listImages()).rejects.toMatchObject({
      code: 'engine-failed',
      message:
        'The engine at ' + endpoint.host + ' could not list its images (HTTP 500: disk full)',
    });
  });

  it('says when an answer is not an engine’s', async () => {
    const endpoint = await engineAnswering(
      () => 'HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 13\r\n\r\n<html></html>',
    );
    await expect(new EngineClient(endpoint, { env: {} }).listImages()).rejects.toThrow(
      /gave an answer Strata cannot use .*is it a Docker or Podman engine/,
    );
  });

  it('checks image names before any request', async () => {
    const endpoint = await engineAnswering(() => json('200 OK', {}));
    const client = new EngineClient(endpoint, { env: {} });
    await expect(client.inspectImage('a b')).rejects.toMatchObject({ code: 'bad-request' });
    await expect(client.exportImage('a#b')).rejects.toMatchObject({ code: 'bad-request' });
    expect(engine!.connections()).toBe(0);
  });

  it('aborts a call when its signal does, as a cancel', async () => {
    const endpoint = await engineAnswering(() => '');
    const controller = new AbortController();
    const listing = new EngineClient(endpoint, { env: {} }).listImages(controller.signal);
    setTimeout(() => controller.abort(), 50);
    await expect(listing).rejects.toMatchObject({ code: 'cancelled' });
  });
});
