import { describe, expect, it } from 'vitest';
import type { EngineImageSummary } from '../../../src-main/api/engine';
import { matchesQuery, sortImages } from './engine-browser.svelte';

const image = (id: string, tags: string[], size: number, created: string): EngineImageSummary => ({
  id: `sha256:${id.padEnd(64, '0')}`,
  tags,
  digests: [],
  size,
  created,
  dangling: tags.length === 0,
});

const a = image('aa', ['alpine:3', 'alpine:latest'], 7_000_000, '2024-01-02T00:00:00Z');
const b = image('bb', ['busybox:1'], 2_000_000, '2024-03-01T00:00:00Z');
const none = image('cc', [], 9_000_000, '2024-02-01T00:00:00Z');

describe('the engine image list', () => {
  it('searches tags and IDs, case-insensitively', () => {
    expect(matchesQuery(a, 'ALP')).toBe(true);
    expect(matchesQuery(a, 'latest')).toBe(true);
    expect(matchesQuery(b, 'bb')).toBe(true);
    expect(matchesQuery(b, 'sha256:bb')).toBe(true);
    expect(matchesQuery(b, 'alp')).toBe(false);
    expect(matchesQuery(none, '  ')).toBe(true);
  });

  it('sorts by name (untagged last either way), size and date', () => {
    const ids = (list: EngineImageSummary[]) => list.map((i) => i.id.slice(7, 9));
    expect(ids(sortImages([none, b, a], 'name', false))).toEqual(['aa', 'bb', 'cc']);
    expect(ids(sortImages([none, b, a], 'name', true))).toEqual(['bb', 'aa', 'cc']);
    expect(ids(sortImages([a, b, none], 'size', true))).toEqual(['cc', 'aa', 'bb']);
    expect(ids(sortImages([a, b, none], 'created', true))).toEqual(['bb', 'cc', 'aa']);
  });
});
