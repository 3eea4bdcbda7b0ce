// The engine part of Home: which engine is used (and the others found), its images with search,
// sort and the dangling toggle, kept fresh from the engine's events, the export cache, and the
// engine open in flight with its preview, progress and cancel. One instance, made by Home.
import type { StrataEvent } from '../../../src-main/api/contract';
import type {
  EngineImageSummary,
  EngineInfo,
  EngineList,
  ExportCacheInfo,
} from '../../../src-main/api/engine';
import { ApiError, type StrataApi } from '../api/strata-api';
import { noteEngineOpenEvent, type EngineOpening } from './engine-opening';
import type { Session } from './session.svelte';

export type ImageSortKey = 'name' | 'size' | 'created';

/** How long to wait after an engine event for more before listing again (a build sends many). */
const REFRESH_DEBOUNCE_MS = 250;

/** The name a row sorts and shows by: its first tag, or nothing for a dangling image. */
export function primaryTag(image: EngineImageSummary): string | null {
  return image.tags[0] ?? null;
}

/** Case-insensitive match on any tag or the ID (with or without `sha256:`). */
export function matchesQuery(image: EngineImageSummary, query: string): boolean {
  const q = query.trim().toLowerCase();
  if (!q) return true;
  const hex = image.id.replace(/^sha256:/, '');
  return (
    hex.startsWith(q.replace(/^sha256:/, '')) || image.tags.some((t) => t.toLowerCase().includes(q))
  );
}

export function sortImages(
  images: EngineImageSummary[],
  key: ImageSortKey,
  descending: boolean,
): EngineImageSummary[] {
  const sign = descending ? -1 : 1;
  const created = (image: EngineImageSummary) => (image.created ? Date.parse(image.created) : 0);
  return [...images].sort((a, b) => {
    let order = 0;
    if (key === 'size') order = a.size - b.size;
    else if (key === 'created') order = created(a) - created(b);
    else {
      const [na, nb] = [primaryTag(a), primaryTag(b)];
      // Untagged images go last whichever way names sort.
      if (na === null || nb === null) return na === nb ? 0 : na === null ? 1 : -1;
      order = na.localeCompare(nb);
    }
    return order * sign || a.id.localeCompare(b.id);
  });
}

function newOpenId(): string {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export class EngineBrowser {
  engines = $state.raw<EngineList | null>(null);
  images = $state.raw<EngineImageSummary[]>([]);
  /** True once the current engine's images were listed (or failed to be). */
  listed = $state(false);
  loading = $state(false);
  /** Why the current engine cannot be listed; null when it can. */
  problem = $state<string | null>(null);
  query = $state('');
  sortKey = $state<ImageSortKey>('created');
  sortDescending = $state(true);
  showDangling = $state(false);
  cache = $state.raw<ExportCacheInfo | null>(null);
  clearing = $state(false);
  opening = $state<EngineOpening | null>(null);

  current = $derived<EngineInfo | null>(
    this.engines?.engines.find((e) => e.id === this.engines?.currentId) ?? null,
  );
  danglingCount = $derived(this.images.filter((image) => image.dangling).length);
  visible = $derived(
    sortImages(
      this.images.filter(
        (image) => (this.showDangling || !image.dangling) && matchesQuery(image, this.query),
      ),
      this.sortKey,
      this.sortDescending,
    ),
  );

  private refreshTimer: ReturnType<typeof setTimeout> | null = null;
  /** Each listing gets a number; an answer to an older one is dropped. */
  private listing = 0;

  constructor(
    private readonly api: StrataApi,
    private readonly session: Session,
  ) {}

  /** Lists the engines and the current one's images, and follows events. Returns the stop. */
  start(): () => void {
    const stop = this.api.onEvent((event) => this.onEvent(event));
    void this.load();
    return () => {
      stop();
      if (this.refreshTimer) clearTimeout(this.refreshTimer);
    };
  }

  async load(): Promise<void> {
    try {
      this.engines = await this.api.engine.list();
    } catch (error) {
      this.problem = messageOf(error);
      this.listed = true;
      return;
    }
    await Promise.all([this.refresh(), this.loadCache()]);
  }

  /** Lists the current engine's images again. */
  async refresh(): Promise<void> {
    const mine = ++this.listing;
    this.loading = true;
    try {
      const list = await this.api.engine.images();
      if (mine !== this.listing) return;
      this.images = list.images;
      this.problem = null;
      this.noteEngine(list.engine);
    } catch (error) {
      if (mine !== this.listing) return;
      this.images = [];
      this.problem = messageOf(error);
    } finally {
      if (mine === this.listing) {
        this.loading = false;
        this.listed = true;
      }
    }
  }

  async select(id: string): Promise<void> {
    if (id === this.engines?.currentId) return;
    try {
      this.engines = await this.api.engine.select(id);
    } catch (error) {
      this.session.report(error);
      return;
    }
    this.images = [];
    this.listed = false;
    await this.refresh();
  }

  sortBy(key: ImageSortKey): void {
    if (this.sortKey === key) this.sortDescending = !this.sortDescending;
    else {
      this.sortKey = key;
      // Names read A to Z first; sizes and dates biggest and newest first.
      this.sortDescending = key !== 'name';
    }
  }

  /** Opens an image of the current engine; the opening card shows its progress. */
  async open(image: EngineImageSummary): Promise<void> {
    if (this.session.busy) return;
    const ref = image.tags[0] ?? image.id;
    const openId = newOpenId();
    this.opening = { openId, ref, preview: null, progress: null, indexed: {}, cancelling: false };
    try {
      await this.session.run(ref, () => this.api.engine.open(ref, openId), 'Asking the engine…');
    } finally {
      this.opening = null;
      void this.loadCache();
    }
  }

  async cancel(): Promise<void> {
    const opening = this.opening;
    if (!opening || opening.cancelling) return;
    opening.cancelling = true;
    try {
      await this.api.engine.cancelOpen(opening.openId);
    } catch (error) {
      this.session.report(error);
    }
  }

  async clearCache(): Promise<void> {
    this.clearing = true;
    try {
      this.cache = await this.api.engine.clearCache();
    } catch (error) {
      this.session.report(error);
    } finally {
      this.clearing = false;
    }
  }

  private async loadCache(): Promise<void> {
    try {
      this.cache = await this.api.engine.cacheInfo();
    } catch {
      // The cache figure is a nicety; its absence says enough.
    }
  }

  private noteEngine(info: EngineInfo): void {
    const list = this.engines;
    if (!list) return;
    this.engines = {
      ...list,
      engines: list.engines.map((e) => (e.id === info.id ? { ...e, ...info } : e)),
    };
  }

  private onEvent(event: StrataEvent): void {
    const opening = this.opening;
    switch (event.type) {
      case 'engine-images-changed':
        if (event.engineId === this.engines?.currentId) this.scheduleRefresh();
        break;
      case 'engine-status':
        if (event.engineId !== this.engines?.currentId) break;
        if (event.reachable) {
          if (this.problem) this.scheduleRefresh();
        } else {
          this.problem = event.message;
        }
        this.noteReachable(event.engineId, event.reachable);
        break;
      default:
        if (opening) noteEngineOpenEvent(opening, event);
    }
  }

  private noteReachable(id: string, reachable: boolean): void {
    const list = this.engines;
    if (!list) return;
    this.engines = {
      ...list,
      engines: list.engines.map((e) => (e.id === id ? { ...e, reachable } : e)),
    };
  }

  private scheduleRefresh(): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = null;
      void this.refresh();
    }, REFRESH_DEBOUNCE_MS);
  }
}

function messageOf(error: unknown): string {
  if (error instanceof ApiError || error instanceof Error) return error.message;
  return String(error);
}
