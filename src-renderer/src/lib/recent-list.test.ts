import { describe, expect, it } from 'vitest';
import {
  addRecent,
  MAX_RECENT,
  parseRecent,
  removeRecent,
  type RecentArchive,
} from './recent-list';

const entry = (path: string, label = path): RecentArchive => ({
  path,
  label,
  openedAt: '2026-01-01T00:00:00.000Z',
});

describe('recent archives', () => {
  it('keeps the newest first, once per path, at most a few', () => {
    let list: RecentArchive[] = [];
    for (let i = 0; i < MAX_RECENT + 3; i++) list = addRecent(list, entry(`/a/${i}.tar`));
    expect(list).toHaveLength(MAX_RECENT);
    expect(list[0]?.path).toBe(`/a/${MAX_RECENT + 2}.tar`);
    list = addRecent(list, entry('/a/5.tar', 'again'));
    expect(list[0]).toMatchObject({ path: '/a/5.tar', label: 'again' });
    expect(list.filter((item) => item.path === '/a/5.tar')).toHaveLength(1);
    expect(removeRecent(list, '/a/5.tar').some((item) => item.path === '/a/5.tar')).toBe(false);
  });

  it('reads back what it stored and drops anything malformed', () => {
    const stored = JSON.stringify([entry('/x.tar'), { path: 3 }, null, entry('')]);
    expect(parseRecent(stored)).toEqual([entry('/x.tar')]);
    expect(parseRecent('not json')).toEqual([]);
    expect(parseRecent('{"path":"/x"}')).toEqual([]);
    expect(parseRecent(null)).toEqual([]);
  });
});
