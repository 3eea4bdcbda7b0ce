import { describe, expect, it } from 'vitest';
import { PageCache } from './page-cache';

const rows = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);

describe('PageCache', () => {
  it('asks for the pages a range covers, clamped to the total, once each', () => {
    const cache = new PageCache<number>(10, 4);
    expect(cache.wanted(5, 34, 100)).toEqual([0, 1, 2, 3]);
    expect(cache.wanted(95, 200, 100)).toEqual([9]);
    expect(cache.wanted(0, 10, 0)).toEqual([]);
    const generation = cache.begin(0);
    expect(cache.wanted(0, 9, 100)).toEqual([]);
    expect(cache.put(0, rows(0, 10), generation)).toBe(true);
    expect(cache.get(3)).toBe(3);
    expect(cache.has(3)).toBe(true);
    expect(cache.get(13)).toBeUndefined();
  });

  it('drops the least recently shown page beyond its size', () => {
    const cache = new PageCache<number>(10, 2);
    for (const page of [0, 1]) cache.put(page, rows(page * 10, 10), cache.begin(page));
    // Page 0 is shown again, so page 1 is the oldest when page 2 arrives.
    expect(cache.wanted(0, 5, 100)).toEqual([]);
    cache.put(2, rows(20, 10), cache.begin(2));
    expect(cache.loadedPages).toEqual([0, 2]);
  });

  it('keeps stale rows visible after an invalidate, and drops late answers', () => {
    const cache = new PageCache<number>(10, 4);
    const old = cache.begin(0);
    cache.put(0, rows(0, 10), old);
    const late = cache.begin(1);
    cache.invalidate();
    expect(cache.get(4)).toBe(4);
    expect(cache.has(4)).toBe(false);
    expect(cache.put(1, rows(10, 10), late)).toBe(false);
    expect(cache.wanted(0, 19, 100)).toEqual([0, 1]);
    cache.put(0, rows(100, 10), cache.begin(0));
    expect(cache.get(4)).toBe(104);
    cache.clear();
    expect(cache.get(4)).toBeUndefined();
  });

  it('lets a failed page be asked for again', () => {
    const cache = new PageCache<number>(10, 4);
    const generation = cache.begin(2);
    expect(cache.wanted(20, 29, 100)).toEqual([]);
    cache.fail(2, generation);
    expect(cache.wanted(20, 29, 100)).toEqual([2]);
  });
});
