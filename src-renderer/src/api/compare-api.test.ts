import { describe, expect, it } from 'vitest';
import { createCompareApi, type CompareCall } from './compare-api';

describe('createCompareApi', () => {
  it('calls each channel with its request and decodes both sides of a file', async () => {
    const sent: [string, unknown][] = [];
    const answers: Record<string, unknown> = {
      'compare:open': { compareId: 'c' },
      'compare:view': { viewId: 'v', total: 4, matches: null },
      'compare:file': {
        a: { size: 3, digest: 'sha256:a', base64: 'AAH/', truncated: false },
        b: null,
      },
    };
    const call = (async (channel: string, request: unknown) => {
      sent.push([channel, request]);
      return answers[channel] ?? null;
    }) as CompareCall;
    const api = createCompareApi(call);
    expect(await api.open('h1', 'h2')).toEqual({ compareId: 'c' });
    expect(await api.openView('c', 'changes', 'size')).toEqual({
      viewId: 'v',
      total: 4,
      matches: null,
    });
    await api.openView('c', 'all', 'name', { text: 'etc' });
    const file = await api.file('c', '/etc/os-release');
    expect([...file.a!.bytes]).toEqual([0, 1, 255]);
    expect(file.a).toMatchObject({ size: 3, digest: 'sha256:a', truncated: false });
    expect(file.b).toBeNull();
    await api.close('c');
    expect(sent).toEqual([
      ['compare:open', { a: 'h1', b: 'h2' }],
      ['compare:view', { compareId: 'c', show: 'changes', sort: 'size' }],
      ['compare:view', { compareId: 'c', show: 'all', sort: 'name', filter: { text: 'etc' } }],
      ['compare:file', { compareId: 'c', path: '/etc/os-release' }],
      ['compare:close', { compareId: 'c' }],
    ]);
  });
});
