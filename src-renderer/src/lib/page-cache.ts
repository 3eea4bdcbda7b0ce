// The rows of a file view, kept a page at a time: the renderer asks the service only for the
// pages the list is showing, and keeps a few of them (least recently shown dropped first).
// Pure: no Svelte, no transport; FileTreeModel drives it.

export class PageCache<T> {
  private fresh = new Map<number, T[]>();
  /** Pages from before the last invalidate(): shown until their fresh copy arrives. */
  private stale = new Map<number, T[]>();
  private readonly pending = new Set<number>();
  private generationNumber = 0;

  constructor(
    readonly pageSize = 200,
    readonly maxPages = 24,
  ) {
    if (pageSize < 1 || maxPages < 1) throw new RangeError('pageSize and maxPages must be >= 1');
  }

  /** Changes with every invalidate(): an answer fetched for an older generation is dropped. */
  get generation(): number {
    return this.generationNumber;
  }

  pageOf(index: number): number {
    return Math.floor(index / this.pageSize);
  }

  /** The row at `index`: fresh if loaded, else the stale copy, else undefined (a placeholder). */
  get(index: number): T | undefined {
    const page = this.pageOf(index);
    const offset = index - page * this.pageSize;
    return this.fresh.get(page)?.[offset] ?? this.stale.get(page)?.[offset];
  }

  /** True when the row at `index` is from the current generation. */
  has(index: number): boolean {
    const page = this.fresh.get(this.pageOf(index));
    return page !== undefined && index - this.pageOf(index) * this.pageSize < page.length;
  }

  /**
   * The pages that cover rows `start..end` (inclusive, clamped to `total`) and are neither loaded
   * nor being fetched, nearest first. Marks the loaded ones as recently used.
   */
  wanted(start: number, end: number, total: number): number[] {
    if (total <= 0) return [];
    const first = this.pageOf(Math.max(0, start));
    const last = this.pageOf(Math.min(total - 1, Math.max(start, end)));
    const out: number[] = [];
    for (let page = first; page <= last; page++) {
      const rows = this.fresh.get(page);
      if (rows) {
        // Re-insert: Map order is the recency order.
        this.fresh.delete(page);
        this.fresh.set(page, rows);
      } else if (!this.pending.has(page)) out.push(page);
    }
    return out;
  }

  /** Records that `page` is being fetched; returns the generation to hand back to put(). */
  begin(page: number): number {
    this.pending.add(page);
    return this.generationNumber;
  }

  /** Stores a fetched page; returns false (and stores nothing) if it is from an old generation. */
  put(page: number, rows: T[], generation: number): boolean {
    if (generation !== this.generationNumber) return false;
    this.pending.delete(page);
    this.fresh.delete(page);
    this.fresh.set(page, rows);
    this.stale.delete(page);
    while (this.fresh.size > this.maxPages) {
      const oldest = this.fresh.keys().next().value as number;
      this.fresh.delete(oldest);
    }
    return true;
  }

  /** A fetch failed: the page may be asked for again. */
  fail(page: number, generation: number): void {
    if (generation === this.generationNumber) this.pending.delete(page);
  }

  /**
   * The rows changed on the service (an expand, a collapse): every page must be fetched again,
   * but the old rows stay visible until then so the list does not flash.
   */
  invalidate(): void {
    this.generationNumber++;
    for (const [page, rows] of this.fresh) this.stale.set(page, rows);
    this.fresh = new Map();
    this.pending.clear();
    // Stale pages are only a stopgap: keep as many as the cache holds.
    while (this.stale.size > this.maxPages) {
      this.stale.delete(this.stale.keys().next().value as number);
    }
  }

  /** A different view: nothing old is worth showing. */
  clear(): void {
    this.generationNumber++;
    this.fresh = new Map();
    this.stale = new Map();
    this.pending.clear();
  }

  /** Loaded pages (for tests and debugging). */
  get loadedPages(): number[] {
    return [...this.fresh.keys()].sort((a, b) => a - b);
  }
}
