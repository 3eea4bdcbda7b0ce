// The rows of one file view as the tree shows them: the service keeps the tree (filtered,
// sorted, expanded) and this asks it for the pages the list is showing. Rows live in a plain
// PageCache; `version` is the one reactive signal that pages arrived.
import type { TreeRow, TreeViewSpec } from '../../../src-main/api/explorer';
import type { ExplorerApi, OpenedView } from '../api/explorer-api';
import { PageCache } from '../lib/page-cache';

/** Rows per view:rows call. */
const PAGE_SIZE = 200;
/** Pages kept (at most PAGE_SIZE * MAX_PAGES rows in memory). */
const MAX_PAGES = 30;
/** Rows fetched beyond the visible ones, each way. */
const READ_AHEAD = 100;
/** Pages an open or an expand asks to have in its answer at most. */
const MAX_PAGES_WITH_A_CHANGE = 3;

export class FileTreeModel {
  /** Rows in the view (with the open directories' children). */
  total = $state(0);
  /** Paths that pass the filter, or null without a filter. */
  matches = $state<number | null>(null);
  /** Bumped when rows arrive or change: what reads rowAt() re-reads. */
  version = $state(0);
  /** True until the first view of this model is open. */
  opening = $state(true);
  /** True while a new view (another layer, mode, sort or filter) is being opened. */
  loading = $state(false);
  /** Expands and collapses the service has not answered yet. */
  changes = $state(0);
  /** The filter text of the view shown ('' without one): what its rows answer. */
  shownFilterText = $state('');
  /** Bumped as each new view's rows are shown (the list draws the rows in view first). */
  viewsShown = $state(0);

  /**
   * Called when rows moved: `count` rows were inserted (or removed, when negative) below the row
   * at `at`. The explorer keeps its selection on the same path with it.
   */
  onshift: ((at: number, count: number) => void) | null = null;

  private readonly cache = new PageCache<TreeRow>(PAGE_SIZE, MAX_PAGES);
  /** The expand or collapse in flight: reads wait for it, so no row is read from before it. */
  private changing: Promise<void> | null = null;
  private viewId: string | null = null;
  private openSequence = 0;
  private visible = { start: 0, end: 40 };
  private disposed = false;

  constructor(
    private readonly api: ExplorerApi,
    private readonly handle: string,
    private readonly onError: (error: unknown) => void,
  ) {}

  /**
   * Opens a view for `spec` in place of the current one (which stays shown until then).
   * Resolves to the row of `keep` in the new view (-1 when absent), or null when a later open
   * overtook this one. Throws what view:open throws (a bad regular expression, say).
   */
  async open(spec: TreeViewSpec, keep: string | null = null): Promise<number | null> {
    const sequence = ++this.openSequence;
    this.loading = true;
    let opened: OpenedView;
    try {
      // The kept path's row and the rows in view come with the answer (an image's views; a
      // comparison's answer neither, and are asked apart).
      opened = await this.api.openView(this.handle, spec, {
        ...(keep ? { keep } : {}),
        rows: this.rowsInView(),
      });
    } catch (error) {
      if (sequence === this.openSequence) this.loading = false;
      throw error;
    }
    if (sequence !== this.openSequence || this.disposed) {
      void this.api.closeView(opened.viewId).catch(() => {});
      return null;
    }
    const previous = this.viewId;
    this.viewId = opened.viewId;
    if (previous) void this.api.closeView(previous).catch(() => {});
    let total = opened.total;
    let index = -1;
    let rowsAreCurrent = true;
    if (keep && opened.index !== undefined) index = opened.index;
    else if (keep) {
      // Revealing changes the rows: any that came with the answer are from before it.
      rowsAreCurrent = false;
      try {
        ({ total, index } = await this.api.reveal(opened.viewId, keep));
      } catch {
        index = -1;
      }
      if (sequence !== this.openSequence) return null;
    }
    this.cache.clear();
    if (rowsAreCurrent) this.keepRows(opened, total);
    this.total = total;
    this.matches = opened.matches;
    this.shownFilterText = spec.filter?.text ?? '';
    this.opening = false;
    this.loading = false;
    this.version++;
    this.viewsShown++;
    this.fetchVisible();
    return index;
  }

  /** The row at `index`, or undefined while it loads. Reactive through `version`. */
  rowAt(index: number): TreeRow | undefined {
    void this.version;
    return this.cache.get(index);
  }

  /** The list shows rows `start..end`: fetch what is missing around them. */
  setVisible(start: number, end: number): void {
    this.visible = { start, end };
    this.fetchVisible();
  }

  /** Opens or closes `row` (a directory, or a file written over one), which is at `index`. */
  setExpanded(row: TreeRow, index: number, expanded: boolean): Promise<void> {
    const viewId = this.viewId;
    if (!viewId || row.childCount === 0 || row.expanded === expanded) return Promise.resolve();
    // The chevron turns at once; the rows below follow when the service answers.
    row.expanded = expanded;
    this.version++;
    const before = this.total;
    return this.change(async () => {
      try {
        // The rows in view (which an expand below them changes) come with the answer.
        const answer = await this.api.expand(viewId, row.path, expanded, this.rowsInView());
        if (viewId !== this.viewId) return;
        const total = answer.total;
        this.refresh(total, answer);
        if (total !== before) this.onshift?.(index, total - before);
      } catch (error) {
        row.expanded = !expanded;
        this.version++;
        this.onError(error);
      }
    });
  }

  expandAll(expanded: boolean): Promise<void> {
    const viewId = this.viewId;
    if (!viewId) return Promise.resolve();
    return this.change(async () => {
      try {
        const total = await this.api.expandAll(viewId, expanded);
        if (viewId === this.viewId) this.refresh(total);
      } catch (error) {
        this.onError(error);
      }
    });
  }

  /** Resolves when no expand or collapse is in flight. */
  async settled(): Promise<void> {
    while (this.changing) await this.changing;
  }

  /** True while the rows are not yet what was last asked for. */
  get busy(): boolean {
    return this.opening || this.loading || this.changes > 0;
  }

  private change(work: () => Promise<void>): Promise<void> {
    this.changes++;
    // With nothing in flight, the call leaves at once, before the page re-renders for the click.
    const started = this.changing ? this.changing.then(work) : work();
    const next = started.finally(() => this.changes--);
    this.changing = next;
    void next.finally(() => {
      if (this.changing === next) this.changing = null;
    });
    return next;
  }

  /** Opens the directories above `path`; its row, or -1 when this view does not show it. */
  async reveal(path: string): Promise<number> {
    await this.settled();
    const viewId = this.viewId;
    if (!viewId) return -1;
    const { total, index } = await this.api.reveal(viewId, path);
    if (viewId !== this.viewId) return -1;
    this.refresh(total);
    return index;
  }

  /** The row of the directory that holds the row at `index` (-1 for a top-level row). */
  async parentIndex(index: number): Promise<number> {
    const row = await this.load(index);
    if (!row || row.depth === 0) return -1;
    for (let i = index - 1; i >= 0; i--) {
      const above = await this.load(i);
      if (above && above.depth === row.depth - 1) return i;
    }
    return -1;
  }

  /** The row at `index`, fetched if it is not loaded. */
  async load(index: number): Promise<TreeRow | undefined> {
    await this.settled();
    if (this.cache.has(index)) return this.cache.get(index);
    const viewId = this.viewId;
    if (!viewId || index < 0 || index >= this.total) return undefined;
    const page = this.cache.pageOf(index);
    await this.fetchPage(viewId, page);
    return this.cache.get(index);
  }

  dispose(): void {
    this.disposed = true;
    this.openSequence++;
    if (this.viewId) void this.api.closeView(this.viewId).catch(() => {});
    this.viewId = null;
  }

  /**
   * The pages of the rows in view and around them (what fetchVisible would ask for next), to ask
   * with a call that changes them rather than after it.
   */
  private rowsInView(): { offset: number; limit: number } {
    const { start, end } = this.visible;
    const first = this.cache.pageOf(Math.max(0, start - READ_AHEAD));
    const last = this.cache.pageOf(Math.max(0, end + READ_AHEAD));
    const pages = Math.min(MAX_PAGES_WITH_A_CHANGE, Math.max(1, last - first + 1));
    return { offset: first * PAGE_SIZE, limit: pages * PAGE_SIZE };
  }

  /** Keeps rows that came with an answer, a page at a time (whole pages, or the last one). */
  private keepRows(answer: { offset?: number; rows?: TreeRow[] }, total: number): void {
    const { offset, rows } = answer;
    if (offset === undefined || !rows || offset % PAGE_SIZE !== 0) return;
    for (let at = 0; at < rows.length; at += PAGE_SIZE) {
      const pageRows = rows.slice(at, at + PAGE_SIZE);
      if (pageRows.length < PAGE_SIZE && offset + at + pageRows.length < total) break;
      const page = this.cache.pageOf(offset + at);
      this.cache.put(page, pageRows, this.cache.begin(page));
    }
  }

  private refresh(total: number, answer: { offset?: number; rows?: TreeRow[] } = {}): void {
    this.cache.invalidate();
    this.keepRows(answer, total);
    this.total = total;
    this.version++;
    this.fetchVisible();
  }

  private fetchVisible(): void {
    const viewId = this.viewId;
    if (!viewId) return;
    const { start, end } = this.visible;
    for (const page of this.cache.wanted(start - READ_AHEAD, end + READ_AHEAD, this.total)) {
      void this.fetchPage(viewId, page);
    }
  }

  private async fetchPage(viewId: string, page: number): Promise<void> {
    const generation = this.cache.begin(page);
    try {
      const answer = await this.api.rows(viewId, page * PAGE_SIZE, PAGE_SIZE);
      if (viewId !== this.viewId) return;
      if (this.cache.put(page, answer.rows, generation)) {
        if (answer.total !== this.total) this.total = answer.total;
        this.version++;
      }
    } catch (error) {
      this.cache.fail(page, generation);
      if (viewId === this.viewId) this.onError(error);
    }
  }
}
