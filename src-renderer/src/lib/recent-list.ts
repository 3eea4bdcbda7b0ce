// The recent-archives list as stored (localStorage, JSON): newest first, one entry per path,
// at most a few. Pure functions; state/recent-archives.svelte.ts keeps it.

export interface RecentArchive {
  /** Where the archive is on this machine (Electron opens it again by this path). */
  path: string;
  /** What the list shows: the image's tag, or the file name. */
  label: string;
  /** ISO time it was last opened. */
  openedAt: string;
}

export const MAX_RECENT = 8;

/** The stored text as a list; anything malformed is dropped, never thrown. */
export function parseRecent(text: string | null): RecentArchive[] {
  if (!text) return [];
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return [];
  }
  if (!Array.isArray(value)) return [];
  return value
    .filter(
      (item): item is RecentArchive =>
        typeof item === 'object' &&
        item !== null &&
        typeof (item as RecentArchive).path === 'string' &&
        (item as RecentArchive).path.length > 0 &&
        typeof (item as RecentArchive).label === 'string' &&
        typeof (item as RecentArchive).openedAt === 'string',
    )
    .slice(0, MAX_RECENT);
}

/** `list` with `entry` first (replacing the same path), cut to MAX_RECENT. */
export function addRecent(list: RecentArchive[], entry: RecentArchive): RecentArchive[] {
  return [entry, ...list.filter((item) => item.path !== entry.path)].slice(0, MAX_RECENT);
}

export function removeRecent(list: RecentArchive[], path: string): RecentArchive[] {
  return list.filter((item) => item.path !== path);
}
