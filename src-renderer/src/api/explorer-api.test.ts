import { describe, expect, it } from 'vitest';
import { createExplorerApi, decodeBase64, type ExplorerCall } from './explorer-api';

describe('createExplorerApi', () => {
  it('calls each channel with its request and shapes the answers', async () => {
    const sent: [string, unknown][] = [];
    const answers: Record<string, unknown> = {
      'view:open': { viewId: 'v', total: 3, matches: null },
      'view:rows': { total: 3, offset: 0, rows: [] },
      'view:expand': { total: 9 },
      'image:read': { base64: 'AAH/', offset: 4, total: 7 },
    };
    const call = (async (channel: string, request: unknown) => {
      sent.push([channel, request]);
      return answers[channel] ?? null;
    }) as ExplorerCall;
    const api = createExplorerApi(call, 'download');
    const file = { handle: 'h', layer: 2, path: '/a b/c' };
    expect(await api.openView('h', { layer: 1, mode: 'changes', sort: 'size' })).toEqual({
      viewId: 'v',
      total: 3,
      matches: null,
    });
    expect(await api.rows('v', 0, 50)).toEqual({ total: 3, rows: [] });
    expect(await api.expand('v', '/etc', true)).toEqual({ total: 9 });
    const read = await api.read(file, 4, 5_000_000);
    expect([...read.bytes]).toEqual([0, 1, 255]);
    expect(read.total).toBe(7);
    expect(await api.findings('h')).toBeNull();
    expect(sent).toEqual([
      ['view:open', { handle: 'h', layer: 1, mode: 'changes', sort: 'size' }],
      ['view:rows', { viewId: 'v', offset: 0, limit: 50 }],
      ['view:expand', { viewId: 'v', path: '/etc', expanded: true }],
      ['image:read', { ...file, offset: 4, length: 1024 * 1024 }],
      ['image:findings', { handle: 'h' }],
    ]);
    expect(api.downloadUrl(file)).toBe('/api/file?handle=h&layer=2&path=%2Fa+b%2Fc');
  });

  it('decodes base64 to bytes', () => {
    expect([...decodeBase64('AAH/')]).toEqual([0, 1, 255]);
  });
});
