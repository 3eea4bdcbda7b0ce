import { describe, expect, it } from 'vitest';
import { createEngineApi, type EngineCall } from './engine-api';

describe('createEngineApi', () => {
  it('makes one call per method, with the request the channel takes', async () => {
    const sent: [string, unknown][] = [];
    const call = (async (channel: string, request: unknown) => {
      sent.push([channel, request]);
      return null;
    }) as EngineCall;
    const api = createEngineApi(call);
    await api.list();
    await api.select('docker:unix:///x.sock');
    await api.images();
    await api.open('alpine:3', 'id1');
    await api.open('alpine:3', 'id2', 'linux/arm64');
    await api.cancelOpen('id1');
    await api.cacheInfo();
    await api.clearCache();
    expect(sent).toEqual([
      ['engine:list', {}],
      ['engine:select', { id: 'docker:unix:///x.sock' }],
      ['engine:images', {}],
      ['engine:open', { ref: 'alpine:3', openId: 'id1' }],
      ['engine:open', { ref: 'alpine:3', openId: 'id2', platform: 'linux/arm64' }],
      ['engine:cancelOpen', { openId: 'id1' }],
      ['engine:cacheInfo', {}],
      ['engine:clearCache', {}],
    ]);
  });
});
