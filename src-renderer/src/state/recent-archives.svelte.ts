// Archives opened recently on this machine, kept in localStorage. Only the desktop app records
// them: it opens a file where it lies, so a path can open it again; the browser only ever has
// an upload.
import { createContext } from 'svelte';
import type { OpenedImage } from '../../../src-main/api/model';
import { addRecent, parseRecent, removeRecent, type RecentArchive } from '../lib/recent-list';

const STORAGE_KEY = 'strata.recentArchives';

export class RecentArchives {
  items = $state.raw<RecentArchive[]>([]);

  constructor(private readonly storage: Pick<Storage, 'getItem' | 'setItem'> | null) {
    try {
      this.items = parseRecent(storage?.getItem(STORAGE_KEY) ?? null);
    } catch {
      this.items = [];
    }
  }

  add(path: string, image: OpenedImage): void {
    const label = image.inspect.image.tags[0] ?? path.split(/[\\/]/).pop() ?? path;
    const openedAt = new Date(Date.now()).toISOString(); // eslint-disable-line svelte/prefer-svelte-reactivity -- a value, not state
    this.save(addRecent(this.items, { path, label, openedAt }));
  }

  remove(path: string): void {
    this.save(removeRecent(this.items, path));
  }

  private save(items: RecentArchive[]): void {
    this.items = items;
    try {
      this.storage?.setItem(STORAGE_KEY, JSON.stringify(items));
    } catch {
      // Storage full or refused: the list still works for this session.
    }
  }
}

const [getRecentArchives, setRecentArchives] = createContext<RecentArchives>();
export { getRecentArchives, setRecentArchives };
