import { describe, expect, it } from 'vitest';
import type { OpenedImage } from '../api/model';
import { StrataError } from '../core/errors';
import { createDispatcher } from './dispatch';
import type { DispatchService } from './dispatch';

const opened = (handle: string): OpenedImage => ({
  handle,
  source: 'x.tar',
  inspect: {} as OpenedImage['inspect'],
});

function fakeService(calls: string[] = []): DispatchService {
  return {
    async open(path: string) {
      calls.push(`open ${path}`);
      if (path === '/missing.tar') {
        throw Object.assign(new Error(`ENOENT: no such file, open '${path}'`), {
          code: 'ENOENT',
          path,
        });
      }
      if (path === '/bad.tar') throw new StrataError('bad-archive', '/bad.tar: not a tar archive.');
      if (path === '/crash.tar') throw new TypeError('undefined is not a function');
      return opened('h1');
    },
    async openDemo() {
      return opened('demo');
    },
    list() {
      return [opened('h1')];
    },
    async close(handle: string) {
      calls.push(`close ${handle}`);
    },
  };
}

describe('createDispatcher', () => {
  it('calls the service for each channel', async () => {
    const calls: string[] = [];
    const dispatch = createDispatcher(fakeService(calls));
    expect(await dispatch('image:open', { path: '/a.tar' })).toEqual({
      ok: true,
      value: opened('h1'),
    });
    expect(await dispatch('image:openDemo', {})).toEqual({ ok: true, value: opened('demo') });
    expect(await dispatch('image:list', {})).toEqual({ ok: true, value: [opened('h1')] });
    expect(await dispatch('image:close', { handle: 'h1' })).toEqual({ ok: true, value: null });
    expect(calls).toEqual(['open /a.tar', 'close h1']);
  });

  it('refuses unknown channels and malformed requests with bad-request', async () => {
    const calls: string[] = [];
    const dispatch = createDispatcher(fakeService(calls));
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
    ];
    for (const result of await Promise.all(bad)) {
      expect(result).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    }
    expect(calls).toEqual([]);
  });

  it('passes errors through describeError: codes and messages, never a stack', async () => {
    const dispatch = createDispatcher(fakeService());
    expect(await dispatch('image:open', { path: '/missing.tar' })).toEqual({
      ok: false,
      error: { code: 'not-found', message: '/missing.tar: no such file' },
    });
    expect(await dispatch('image:open', { path: '/bad.tar' })).toEqual({
      ok: false,
      error: { code: 'bad-archive', message: '/bad.tar: not a tar archive.' },
    });
    const crash = await dispatch('image:open', { path: '/crash.tar' });
    expect(crash).toEqual({
      ok: false,
      error: { code: 'internal', message: 'undefined is not a function' },
    });
  });

  it('answers unsupported for the dialog unless the front door offers one', async () => {
    const web = createDispatcher(fakeService());
    expect(await web('dialog:openArchive', {})).toMatchObject({
      ok: false,
      error: { code: 'unsupported' },
    });
    const desktop = createDispatcher(fakeService(), { chooseArchivePath: async () => '/c.tar' });
    expect(await desktop('dialog:openArchive', {})).toEqual({ ok: true, value: '/c.tar' });
  });

  it('waits for the front door to settle before listing, and reports closes', async () => {
    const order: string[] = [];
    const dispatch = createDispatcher(fakeService(), {
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
