// The dispatcher over the real service and real archives: the demo image, a missing file, a
// file that is not an archive.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { OpenedImage } from '../api/model';
import { demoArchivePath } from '../core/demo/demo-archive';
import { StrataService } from '../core/service';
import { createDispatcher } from './dispatch';

const notes = join(mkdtempSync(join(tmpdir(), 'strata-dispatch-')), 'notes.txt');
writeFileSync(notes, 'just some text');

let service: StrataService;
afterEach(() => service?.closeAll());

function real(): StrataService {
  service = new StrataService();
  return service;
}

async function value<T>(result: Promise<{ ok: boolean; value?: T; error?: unknown }>): Promise<T> {
  const r = await result;
  if (!r.ok) throw new Error(`expected ok, got ${JSON.stringify(r.error)}`);
  return r.value as T;
}

describe('createDispatcher', () => {
  it('opens, lists and closes images through the service', async () => {
    const dispatch = createDispatcher(real());
    const opened = await value<OpenedImage>(
      dispatch('image:open', { path: await demoArchivePath() }),
    );
    expect(opened.inspect.image.tags).toEqual(['strata/demo:1.0']);
    const demo = await value<OpenedImage>(dispatch('image:openDemo', {}));
    expect(demo.source).toBe('demo');
    expect((await value<OpenedImage[]>(dispatch('image:list', {}))).map((i) => i.handle)).toEqual([
      opened.handle,
      demo.handle,
    ]);
    expect(await dispatch('image:close', { handle: opened.handle })).toEqual({
      ok: true,
      value: null,
    });
    expect(service.list().map((i) => i.handle)).toEqual([demo.handle]);
  });

  it('answers the explorer: views, rows, entries, bytes, waste, size map', async () => {
    const dispatch = createDispatcher(real());
    const { handle } = await value<OpenedImage>(dispatch('image:openDemo', {}));
    const view = await value<{ viewId: string; total: number }>(
      dispatch('view:open', {
        handle,
        layer: 3,
        mode: 'changes',
        sort: 'name',
        filter: { changes: ['removed'] },
      }),
    );
    expect(view.total).toBe(7); // a filter opens every directory on the way to a match
    await value(dispatch('view:expandAll', { viewId: view.viewId, expanded: true }));
    const rows = await value<{ rows: { path: string }[] }>(
      dispatch('view:rows', { viewId: view.viewId, offset: 0, limit: 50 }),
    );
    expect(rows.rows.map((r) => r.path)).toEqual([
      '/app',
      '/app/data.bin',
      '/var',
      '/var/cache',
      '/var/cache/apk',
      '/var/cache/apk/APKINDEX.tar.gz',
      '/var/cache/apk/nodejs-tiny.apk',
    ]);
    const entry = await value<{ change: string }>(
      dispatch('image:entry', { handle, layer: 3, path: '/app/package.json' }),
    );
    expect(entry.change).toBe('modified');
    const read = await value<{ base64: string; total: number }>(
      dispatch('image:read', { handle, layer: 3, path: '/etc/os-release', offset: 0, length: 4 }),
    );
    expect(Buffer.from(read.base64, 'base64').toString()).toBe('NAME');
    expect((await value<unknown[]>(dispatch('image:waste', { handle }))).length).toBe(6);
    expect(
      await value<{ name: string }>(
        dispatch('image:sizeMap', { handle, layer: 3, path: '/', depth: 1 }),
      ),
    ).toMatchObject({ name: '/' });
    await value(dispatch('view:close', { viewId: view.viewId }));
    expect(await dispatch('view:rows', { viewId: view.viewId, offset: 0, limit: 1 })).toMatchObject(
      { ok: false, error: { code: 'not-found' } },
    );
  });

  it('refuses unknown channels and malformed requests with bad-request, before the service', async () => {
    const dispatch = createDispatcher(real());
    const bad = [
      dispatch('image:nope' as 'image:list', {}),
      dispatch('__proto__' as 'image:list', {}),
      dispatch('image:open', null),
      dispatch('image:open', 'path'),
      dispatch('image:open', ['/a.tar']),
      dispatch('image:open', {}),
      dispatch('image:open', { path: '' }),
      dispatch('image:open', { path: 7 }),
      dispatch('image:open', { path: '/a\0.tar' }),
      dispatch('image:open', { path: 'x'.repeat(5000) }),
      dispatch('image:open', { path: '/a.tar', label: 'x' }),
      dispatch('image:close', { handle: { toString: 'h1' } }),
      dispatch('image:list', { all: true }),
      dispatch('view:open', { handle: 'h', layer: -1, mode: 'changes', sort: 'name' }),
      dispatch('view:open', { handle: 'h', layer: 0, mode: 'tree', sort: 'name' }),
      dispatch('view:open', {
        handle: 'h',
        layer: 0,
        mode: 'changes',
        sort: 'name',
        filter: { changes: ['gone'] },
      }),
      dispatch('view:open', {
        handle: 'h',
        layer: 0,
        mode: 'changes',
        sort: 'name',
        filter: { text: 1 },
      }),
      dispatch('view:rows', { viewId: 'v', offset: 0, limit: 1e9 }),
      dispatch('view:expand', { viewId: 'v', path: '/a', expanded: 'yes' }),
      dispatch('view:expand', {
        viewId: 'v',
        path: '/a',
        expanded: true,
        rows: { offset: 0, limit: 1e9 },
      }),
      dispatch('view:open', {
        handle: 'h',
        layer: 0,
        mode: 'changes',
        sort: 'name',
        rows: { offset: 0, limit: 10, page: 1 },
      }),
      dispatch('view:open', { handle: 'h', layer: 0, mode: 'changes', sort: 'name', keep: '' }),
      dispatch('image:read', {
        handle: 'h',
        layer: 0,
        path: '/a',
        offset: 0,
        length: 64 * 1024 * 1024,
      }),
      dispatch('image:sizeMap', { handle: 'h', layer: 0, path: '/', depth: 99 }),
    ];
    for (const result of await Promise.all(bad)) {
      expect(result).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    }
    expect(service.list()).toEqual([]);
  });

  it('answers the rows in view with an open or an expand, and the row of a kept path', async () => {
    const dispatch = createDispatcher(real());
    const { handle } = await value<OpenedImage>(dispatch('image:openDemo', {}));
    type Rows = { total: number; offset: number; rows: { path: string }[] };
    const spec = { handle, layer: 3, mode: 'aggregate', sort: 'name' };
    const view = (await value<object>(
      dispatch('view:open', {
        ...spec,
        keep: '/usr/share/doc/README',
        rows: { offset: 0, limit: 4 },
      }),
    )) as Rows & { viewId: string; index: number };
    // Below /app, /bin, /etc, /root, /tmp, /usr, /usr/lib, /usr/share, /usr/share/doc.
    expect(view.index).toBe(9);
    expect(view.offset).toBe(8); // the page of 4 rows that holds it
    expect(view.rows.map((r) => r.path)).toEqual([
      '/usr/share/doc',
      '/usr/share/doc/README',
      '/var',
    ]);
    const expanded = (await value<object>(
      dispatch('view:expand', {
        viewId: view.viewId,
        path: '/app',
        expanded: true,
        rows: { offset: 0, limit: 3 },
      }),
    )) as Rows;
    expect(expanded.total).toBe(view.total + 4);
    expect(expanded.rows.map((r) => r.path)).toEqual([
      '/app',
      '/app/data.bin',
      '/app/package.json',
    ]);
    // No rows asked with a kept path: its index, an empty page where asked (not a NaN offset).
    const none = (await value<object>(
      dispatch('view:open', {
        ...spec,
        keep: '/usr/share/doc/README',
        rows: { offset: 0, limit: 0 },
      }),
    )) as Rows & { index: number };
    expect([none.index, none.offset, none.rows]).toEqual([9, 0, []]);
    // Without keep or rows, the answers are as they were.
    const plain = await value<object>(dispatch('view:open', spec));
    expect(Object.keys(plain).sort()).toEqual(['matches', 'total', 'viewId']);
  });

  it('passes errors through describeError: codes and messages naming the file, never a stack', async () => {
    const dispatch = createDispatcher(real());
    expect(await dispatch('image:open', { path: '/missing.tar' })).toEqual({
      ok: false,
      error: { code: 'not-found', message: '/missing.tar: no such file' },
    });
    const result = await dispatch('image:open', { path: notes });
    expect(result).toMatchObject({ ok: false, error: { code: 'bad-archive' } });
    expect(JSON.stringify(result)).toContain(`${notes}: not a tar archive`);
    expect(JSON.stringify(result)).not.toMatch(/\n\s+at /);
  });

  it('answers unsupported for desktop-only channels unless the front door offers them', async () => {
    const web = createDispatcher(real());
    expect(await web('dialog:openArchive', {})).toMatchObject({
      ok: false,
      error: { code: 'unsupported' },
    });
    expect(await web('file:save', { handle: 'h', layer: 0, path: '/a' })).toMatchObject({
      ok: false,
      error: { code: 'unsupported' },
    });
    const desktop = createDispatcher(real(), { chooseArchivePath: async () => '/c.tar' });
    expect(await desktop('dialog:openArchive', {})).toEqual({ ok: true, value: '/c.tar' });
  });

  it('waits for the front door to settle before listing, and reports closes', async () => {
    const order: string[] = [];
    const dispatch = createDispatcher(real(), {
      settled: async () => {
        await new Promise((resolve) => setTimeout(resolve, 10));
        order.push('settled');
      },
      closed: (handle) => void order.push(`closed ${handle}`),
    });
    await dispatch('image:list', {});
    order.push('listed');
    await dispatch('image:close', { handle: 'h9' });
    expect(order).toEqual(['settled', 'listed', 'closed h9']);
  });
});
