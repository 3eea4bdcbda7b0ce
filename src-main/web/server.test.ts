// The browser-mode server, over real HTTP and WebSocket connections on a real port.
import { request as httpRequest } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { StrataEvent } from '../api/contract';
import type { OpenedImage } from '../api/model';
import { StrataService } from '../core/service';
import { demoArchivePath } from '../core/demo/demo-archive';
import { fixturePaths } from '../../e2e/fixtures';
import { CONTENT_SECURITY_POLICY_HEADER } from './content-security-policy';
import { startWebServer } from './server';
import type { WebServer } from './server';

let demoBytes: Buffer;
beforeAll(async () => {
  demoBytes = await readFile(await demoArchivePath());
});

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A raw HTTP request: the path is sent as given (no dot-segment clean-up, unlike fetch). */
function send(
  port: number,
  opts: { method?: string; path: string; headers?: Record<string, string>; body?: string | Buffer },
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method: opts.method ?? 'GET',
        path: opts.path,
        headers: { Host: `127.0.0.1:${port}`, ...opts.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

let root: string;
let uploadDir: string;
let service: StrataService;
let server: WebServer;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'strata-web-test-'));
  const rendererDir = join(root, 'renderer');
  await mkdir(join(rendererDir, 'assets'), { recursive: true });
  await writeFile(join(rendererDir, 'index.html'), '<!doctype html><div id="app"></div>');
  await writeFile(join(rendererDir, 'assets', 'app.js'), 'console.log(1);');
  await writeFile(join(rendererDir, 'assets', 'app.css'), 'body{}');
  await writeFile(join(rendererDir, 'assets', 'app-AbCd_1-2.js'), 'console.log(2);');
  await writeFile(join(root, 'package.json'), '{"secret":true}');
  uploadDir = join(root, 'uploads');
  await mkdir(uploadDir);
  service = new StrataService();
  server = await startWebServer({
    service,
    port: 0,
    rendererDir,
    uploadDir,
    maxUploadBytes: 1024 * 1024,
  });
});

afterEach(async () => {
  await server.close();
  await service.closeAll();
  await rm(root, { recursive: true, force: true });
});

const withToken = (): Record<string, string> => ({ 'X-Strata-Token': server.token });
const call = (channel: string, body: string, headers: Record<string, string> = {}) =>
  send(server.port, {
    method: 'POST',
    path: `/api/call/${channel}`,
    headers: { 'Content-Type': 'application/json', ...withToken(), ...headers },
    body,
  });

describe('startWebServer', () => {
  it('listens on 127.0.0.1 with a 32-byte base64url token in the URL', () => {
    expect(server.port).toBeGreaterThan(0);
    expect(server.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${server.token}`);
  });
});

describe('access control', () => {
  it('refuses a request without the token', async () => {
    const reply = await send(server.port, { path: '/' });
    expect(reply.status).toBe(403);
    expect(reply.headers['content-type']).toMatch(/^text\/plain/);
    expect(reply.body).toMatch(/token/);
    expect(reply.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('refuses a wrong token in the query, the header or the cookie', async () => {
    const wrong = server.token.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'));
    expect((await send(server.port, { path: `/?token=${wrong}` })).status).toBe(403);
    const viaHeader = await send(server.port, { path: '/', headers: { 'X-Strata-Token': wrong } });
    expect(viaHeader.status).toBe(403);
    const cookie = `strata-token-${server.port}=${wrong}`;
    expect((await send(server.port, { path: '/', headers: { Cookie: cookie } })).status).toBe(403);
    expect((await call('image:list', '{}', { 'X-Strata-Token': 'short' })).status).toBe(403);
  });

  it('refuses a foreign Host header even with the token (DNS rebinding)', async () => {
    const reply = await send(server.port, {
      path: `/?token=${server.token}`,
      headers: { Host: `evil.example:${server.port}` },
    });
    expect(reply.status).toBe(403);
    expect(reply.body).toMatch(/127\.0\.0\.1 or localhost/);
    const otherPort = await send(server.port, {
      path: `/?token=${server.token}`,
      headers: { Host: `127.0.0.1:${server.port + 1}` },
    });
    expect(otherPort.status).toBe(403);
  });

  it('accepts localhost:PORT as Host', async () => {
    const reply = await send(server.port, {
      path: `/?token=${server.token}`,
      headers: { Host: `localhost:${server.port}` },
    });
    expect(reply.status).toBe(200);
  });

  it('refuses a foreign Origin even with the token', async () => {
    const reply = await call('image:list', '{}', { Origin: 'http://evil.example' });
    expect(reply.status).toBe(403);
    expect(reply.body).toMatch(/origin/i);
    const otherPort = await call('image:list', '{}', {
      Origin: `http://127.0.0.1:${server.port + 1}`,
    });
    expect(otherPort.status).toBe(403);
    const own = await call('image:list', '{}', { Origin: `http://localhost:${server.port}` });
    expect(own.status).toBe(200);
  });

  it('serves the index with the token, sets the cookie, and the cookie works afterwards', async () => {
    const first = await send(server.port, { path: `/?token=${server.token}` });
    expect(first.status).toBe(200);
    expect(first.body).toContain('<div id="app">');
    expect(first.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(first.headers['cache-control']).toBe('no-store');
    expect(first.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY_HEADER);
    expect(first.headers['x-content-type-options']).toBe('nosniff');
    expect(first.headers['referrer-policy']).toBe('no-referrer');
    expect(first.headers['access-control-allow-origin']).toBeUndefined();
    const setCookie = first.headers['set-cookie']?.[0] ?? '';
    expect(setCookie).toBe(
      `strata-token-${server.port}=${server.token}; HttpOnly; SameSite=Strict; Path=/`,
    );

    const cookie = setCookie.split(';')[0] ?? '';
    const asset = await send(server.port, { path: '/assets/app.js', headers: { Cookie: cookie } });
    expect(asset.status).toBe(200);
    expect(asset.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(asset.headers['set-cookie']).toBeUndefined();
    const css = await send(server.port, { path: '/assets/app.css', headers: { Cookie: cookie } });
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    const api = await send(server.port, {
      method: 'POST',
      path: '/api/call/image:list',
      headers: { Cookie: `other=1; ${cookie}`, 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(JSON.parse(api.body)).toEqual({ ok: true, value: [] });
  });

  it('refuses a WebSocket upgrade without the token, or from a foreign Origin', async () => {
    const refused = (url: string, headers: Record<string, string> = {}) =>
      new Promise<number>((resolve, reject) => {
        const ws = new WebSocket(url, { headers });
        ws.on('unexpected-response', (_req, res) => {
          resolve(res.statusCode ?? 0);
          ws.terminate();
        });
        ws.on('open', () => reject(new Error('the upgrade was accepted')));
        ws.on('error', () => {});
      });
    const base = `ws://127.0.0.1:${server.port}/api/socket`;
    expect(await refused(base)).toBe(403);
    expect(await refused(`${base}?token=wrong`)).toBe(403);
    expect(await refused(`${base}?token=${server.token}`, { Origin: 'http://evil.example' })).toBe(
      403,
    );
    expect(await refused(`${base}?token=${server.token}`, { Host: 'evil.example' })).toBe(403);
  });

  it('pushes service events to a WebSocket opened with the token', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api/socket?token=${server.token}`);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const received = new Promise<StrataEvent>((resolve) =>
      ws.once('message', (data: Buffer) => resolve(JSON.parse(data.toString()) as StrataEvent)),
    );
    const event: StrataEvent = {
      type: 'progress',
      source: 'a.tar',
      phase: 'indexing',
      done: 1,
      total: 2,
    };
    service.emit('event', event);
    expect(await received).toEqual(event);
    ws.close();
  });

  it('answers calls sent on the WebSocket as the HTTP API does, each by its number', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api/socket?token=${server.token}`);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const replies = new Map<number, unknown>();
    const arrived = (count: number) =>
      new Promise<void>((resolve) => {
        ws.on('message', (data: Buffer) => {
          const reply = JSON.parse(data.toString()) as { reply: number; result: unknown };
          replies.set(reply.reply, reply.result);
          if (replies.size === count) resolve();
        });
      });
    const all = arrived(3);
    // Not calls: no answer, and the socket stays open for the calls after them.
    ws.send('not json');
    ws.send(JSON.stringify({ channel: 'image:list', request: {} }));
    ws.send(JSON.stringify({ call: 1, channel: 'image:list', request: {} }));
    ws.send(JSON.stringify({ call: 2, channel: 'image:nope', request: {} }));
    ws.send(JSON.stringify({ call: 3, channel: 'image:open', request: { path: 7 } }));
    await all;
    expect(replies.get(1)).toEqual({ ok: true, value: [] });
    expect(replies.get(2)).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    expect(replies.get(3)).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    expect(replies.size).toBe(3);

    // A message over the limit a call's body has over HTTP (64 KiB) closes the socket.
    const closed = new Promise<number>((resolve) => ws.once('close', resolve));
    ws.send(
      JSON.stringify({ call: 4, channel: 'image:open', request: { path: 'a'.repeat(70_000) } }),
    );
    expect(await closed).toBe(1009);
  });
});

describe('static files', () => {
  const get = (path: string) => send(server.port, { path, headers: withToken() });

  it('refuses path traversal, plain and percent-encoded', async () => {
    for (const path of [
      '/../package.json',
      '/assets/../../package.json',
      '/%2e%2e/package.json',
      '/%2E%2E/package.json',
      '/..%2fpackage.json',
      '/assets/..%2f..%2fpackage.json',
      '/..%5cpackage.json',
      '/index.html%00',
      '/%zz',
    ]) {
      const reply = await get(path);
      expect(reply.status, path).toBe(403);
      expect(reply.body, path).not.toContain('secret');
    }
  });

  it('lets the browser keep the assets named by their hash, and nothing else', async () => {
    const cacheOf = async (path: string) => (await get(path)).headers['cache-control'];
    expect(await cacheOf('/assets/app-AbCd_1-2.js')).toBe('private, max-age=31536000, immutable');
    expect(await cacheOf('/assets/app.js')).toBe('no-cache');
    expect(await cacheOf('/')).toBe('no-store');
  });

  it('answers 404 for a missing file and 405 for a POST', async () => {
    expect((await get('/nope.js')).status).toBe(404);
    expect((await get('/api/nope')).status).toBe(404);
    const post = await send(server.port, { method: 'POST', path: '/', headers: withToken() });
    expect(post.status).toBe(405);
  });
});

describe('POST /api/call/<channel>', () => {
  it('dispatches a valid call to the service', async () => {
    const reply = await call('image:openDemo', '{}');
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('application/json; charset=utf-8');
    const opened = JSON.parse(reply.body) as { ok: true; value: OpenedImage };
    expect(opened.value.source).toBe('demo');
    expect(service.list()).toHaveLength(1);
    const closed = await call('image:close', JSON.stringify({ handle: opened.value.handle }));
    expect(JSON.parse(closed.body)).toEqual({ ok: true, value: null });
    expect(service.list()).toEqual([]);
  });

  it('answers bad-request for an unknown channel', async () => {
    const reply = await call('image:delete', '{}');
    expect(reply.status).toBe(400);
    expect(JSON.parse(reply.body)).toMatchObject({ ok: false, error: { code: 'bad-request' } });
  });

  it('answers bad-request for a malformed body or a wrong shape', async () => {
    for (const body of ['{not json', '', '[]', '{"path":42}', '{"path":"/a","extra":1}']) {
      const reply = await call('image:open', body);
      expect(JSON.parse(reply.body), body).toMatchObject({
        ok: false,
        error: { code: 'bad-request' },
      });
      expect(reply.body).not.toMatch(/at .*\.ts:\d+/);
    }
    const notJson = await call('image:list', '{}', { 'Content-Type': 'text/plain' });
    expect(JSON.parse(notJson.body)).toMatchObject({ ok: false, error: { code: 'bad-request' } });
  });

  it('caps the body at 64 KiB', async () => {
    const reply = await call('image:open', JSON.stringify({ path: 'x'.repeat(70 * 1024) }));
    expect(reply.status).toBe(413);
    expect(JSON.parse(reply.body)).toMatchObject({ ok: false, error: { code: 'limit' } });
  });

  it('answers unsupported for the Electron-only dialog', async () => {
    const reply = await call('dialog:openArchive', '{}');
    expect(JSON.parse(reply.body)).toMatchObject({ ok: false, error: { code: 'unsupported' } });
  });
});

describe('POST /api/upload', () => {
  const upload = (name: string, body: string | Buffer) =>
    send(server.port, {
      method: 'POST',
      path: `/api/upload?name=${encodeURIComponent(name)}`,
      headers: { ...withToken(), 'Content-Type': 'application/octet-stream' },
      body,
    });

  it('refuses a non-archive naming the file (not the temp path), and deletes the temp file', async () => {
    const reply = await upload('notes.txt', 'just some text, not a tar archive\n'.repeat(40));
    const result = JSON.parse(reply.body) as { ok: boolean; error: { message: string } };
    expect(result.ok).toBe(false);
    expect(result.error.message).toContain('notes.txt');
    expect(result.error.message).not.toContain(uploadDir);
    expect(await readdir(uploadDir)).toEqual([]);
  });

  it('opens an uploaded archive under a safe name and keeps it until its image closes', async () => {
    const reply = await upload('../../demo.tar', demoBytes);
    const result = JSON.parse(reply.body) as { ok: true; value: OpenedImage };
    expect(result.value.source).toBe('demo.tar');
    expect(result.value.inspect.image.tags).toEqual(['strata/demo:1.0']);
    const stored = service.model(result.value.handle).path;
    expect(stored.startsWith(uploadDir)).toBe(true);
    expect(stored.endsWith('/demo.tar')).toBe(true);
    expect(await readdir(uploadDir)).toHaveLength(1);
    await call('image:close', JSON.stringify({ handle: result.value.handle }));
    expect(await readdir(uploadDir)).toEqual([]);
  });

  it('opens an engine-built fixture archive uploaded from the page', async () => {
    const archive = fixturePaths().fixtures.basic.archive;
    const big = await startWebServer({ service, port: 0, rendererDir: join(root, 'renderer') });
    try {
      const reply = await send(big.port, {
        method: 'POST',
        path: '/api/upload?name=basic.tar',
        headers: { 'X-Strata-Token': big.token },
        body: await readFile(archive),
      });
      const result = JSON.parse(reply.body) as { ok: true; value: OpenedImage };
      expect(result.value.source).toBe('basic.tar');
      expect(result.value.inspect.layers.length).toBeGreaterThan(1);
    } finally {
      await big.close();
    }
  });

  it('refuses an upload over the size limit and deletes what it wrote', async () => {
    const reply = await upload('big.tar', Buffer.alloc(2 * 1024 * 1024));
    expect(reply.status).toBe(413);
    expect(JSON.parse(reply.body)).toMatchObject({ ok: false, error: { code: 'limit' } });
    expect(service.list()).toEqual([]);
    expect(await readdir(uploadDir)).toEqual([]);
  });
});

describe('GET /api/file', () => {
  it('downloads a file of an open image with the token, named for the browser to save', async () => {
    const opened = JSON.parse((await call('image:openDemo', '{}')).body) as { value: OpenedImage };
    const path = encodeURIComponent('/etc/os-release');
    const url = `/api/file?handle=${opened.value.handle}&layer=3&path=${path}`;
    const reply = await send(server.port, { path: url, headers: withToken() });
    expect(reply.status).toBe(200);
    expect(reply.body).toBe('NAME="Strata Demo Linux"\nID=strata-demo\nVERSION_ID=1.0\n');
    expect(reply.headers['content-disposition']).toBe(
      `attachment; filename="os-release"; filename*=UTF-8''os-release`,
    );
    expect((await send(server.port, { path: url })).status).toBe(403);
    const missing = await send(server.port, {
      path: url.replace('os-release', 'nope'),
      headers: withToken(),
    });
    expect(missing.status).toBe(404);
    expect(missing.body).toContain('/etc/nope does not exist as of layer 3');
  });
});

describe('close()', () => {
  it('removes the upload folder it created itself', async () => {
    const own = await startWebServer({ service, port: 0, rendererDir: root });
    const sent = await send(own.port, {
      method: 'POST',
      path: '/api/upload?name=a.tar',
      headers: { 'X-Strata-Token': own.token },
      body: demoBytes,
    });
    const result = JSON.parse(sent.body) as { ok: true; value: OpenedImage };
    const path = service.model(result.value.handle).path;
    await own.close();
    await expect(readdir(join(path, '..', '..'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
