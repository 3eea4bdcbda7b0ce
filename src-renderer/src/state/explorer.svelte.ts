// What one open image's explorer shows: the selected layer, the file view's mode, sort and
// filter, the selected path, which panel is in front, and the image's findings (the Findings
// panel and the tree's badges). One per open image, kept while its tab is open, so switching
// tabs comes back to the same place.
import type { OpenedImage, Change } from '../../../src-main/api/model';
import type { TreeFilter, TreeSort, TreeViewSpec, ViewMode } from '../../../src-main/api/explorer';
import type { Finding } from '../../../src-main/api/findings';
import { findingsByPath } from '../lib/finding-badges';
import { ApiError, type StrataApi } from '../api/strata-api';
import { FileTreeModel } from './file-tree.svelte';

export type ExplorerPanel = 'files' | 'waste' | 'findings' | 'size';
export type FilterKind = NonNullable<TreeFilter['kind']>;
/** The change types the filter offers (unchanged paths are what "no change filter" adds). */
export const FILTER_CHANGES: Exclude<Change, 'unchanged'>[] = ['added', 'modified', 'removed'];

export class Explorer {
  readonly image: OpenedImage;
  readonly tree: FileTreeModel;

  layer = $state(0);
  mode = $state<ViewMode>('changes');
  sort = $state<TreeSort>('size');
  filterText = $state('');
  filterKind = $state<FilterKind>('substring');
  filterChanges = $state<Change[]>([]);
  minSize = $state(0);
  /** Why the filter could not be applied (a bad regular expression), or null. */
  filterProblem = $state<string | null>(null);

  /** The selected path and its row in the current view (-1 when not shown). */
  selectedPath = $state<string | null>(null);
  selectedIndex = $state(-1);
  panel = $state<ExplorerPanel>('files');
  /** The right pane: the selected layer or the selected file. */
  inspecting = $state<'layer' | 'file'>('layer');

  /** The image's findings, null until the service has them; why it could not, or null. */
  findings = $state.raw<Finding[] | null>(null);
  findingsProblem = $state<string | null>(null);
  /** The findings by path, for the tree rows' badges. */
  readonly findingsByPath = $derived(findingsByPath(this.findings ?? []));

  /** Bumped to ask the tree to scroll its selected row into view. */
  scrollRequest = $state(0);
  /** The filter box should take the focus (`/`, Find in the menu); it clears this when it has. */
  wantsFilterFocus = $state(false);
  /** The tree should take the focus (after a jump from another panel); it clears this. */
  wantsTreeFocus = $state(false);

  /** The filter text being applied, and whether the text changed again since it was asked. */
  private filtering: Promise<unknown> | null = null;
  private filterAgain = false;

  constructor(
    private readonly api: StrataApi,
    image: OpenedImage,
    private readonly report: (error: unknown) => void,
  ) {
    this.image = image;
    this.tree = new FileTreeModel(api.explorer, image.handle, report);
    this.tree.onshift = (at, count) => this.followShift(at, count);
  }

  /** Rows moved below row `at` (an expand or collapse there): keep the selection on its path. */
  private followShift(at: number, count: number): void {
    const index = this.selectedIndex;
    if (index <= at) return;
    // A collapse hid the selected row: the directory that hid it is selected instead.
    if (count < 0 && index <= at - count) {
      void this.tree.load(at).then((row) => {
        if (row) this.select(row.path, at, false);
      });
      return;
    }
    this.selectedIndex = index + count;
  }

  /** Expands or collapses everything, keeping the selected path (or its top directory) shown. */
  async expandAll(expanded: boolean): Promise<void> {
    await this.tree.expandAll(expanded);
    const path = this.selectedPath;
    if (!path) return;
    const shown = expanded ? path : `/${path.split('/')[1] ?? ''}`;
    const index = await this.tree.reveal(shown);
    this.select(index < 0 ? null : shown, index, false);
    if (index >= 0) this.scrollRequest++;
  }

  get handle(): string {
    return this.image.handle;
  }

  get filterActive(): boolean {
    return Boolean(this.filterText || this.filterChanges.length || this.minSize);
  }

  get spec(): TreeViewSpec {
    const filter: TreeFilter = {};
    if (this.filterText) {
      filter.text = this.filterText;
      filter.kind = this.filterKind;
    }
    if (this.filterChanges.length) filter.changes = [...this.filterChanges];
    if (this.minSize) filter.minSize = this.minSize;
    return {
      layer: this.layer,
      mode: this.mode,
      sort: this.sort,
      ...(Object.keys(filter).length ? { filter } : {}),
    };
  }

  private started = false;
  private disposed = false;
  private findingsAsked = false;

  /**
   * Opens the first view (of `layer`, by default the selected one), once: the image view calls
   * it when the image is first shown, so an image never shown costs no file view.
   */
  start(layer = this.layer): void {
    if (this.started) return;
    this.started = true;
    this.layer = layer;
    void this.reload();
  }

  /**
   * Asks for the image's findings, once: the image view does when it is first shown (a
   * comparison's explorer never does). The service computes them once per image.
   */
  loadFindings(): void {
    if (this.findingsAsked) return;
    this.findingsAsked = true;
    this.api.explorer.findings(this.image.handle).then(
      (findings) => {
        if (!this.disposed) this.findings = findings;
      },
      (error: unknown) => {
        if (!this.disposed)
          this.findingsProblem = error instanceof Error ? error.message : String(error);
      },
    );
  }

  selectLayer(layer: number): void {
    if (layer === this.layer) return;
    this.layer = layer;
    void this.reload();
  }

  setMode(mode: ViewMode): void {
    if (mode === this.mode) return;
    this.mode = mode;
    void this.reload();
  }

  setSort(sort: TreeSort): void {
    if (sort === this.sort) return;
    this.sort = sort;
    void this.reload();
  }

  /**
   * Typing: each key asks the service at once, in the task it came in (before the frame that
   * draws the key), one request at a time. While a filter is being applied, the next waits for it
   * and then asks with the text as it is by then, so keys typed in the meantime (a held key, a
   * fast typist) ask once. A pause before asking delayed every answer and saved no request (30
   * ms, until the benchmark showed it was a quarter of the time from a key to its rows; then a
   * timer of 0 ms, which still let the key's frame be drawn first: 5-10 ms).
   */
  setFilterText(text: string): void {
    this.filterText = text;
    this.applyFilterText();
  }

  private applyFilterText(): void {
    if (this.disposed) return;
    if (this.filtering) {
      this.filterAgain = true;
      return;
    }
    this.filtering = this.reload().finally(() => {
      this.filtering = null;
      if (!this.filterAgain) return;
      this.filterAgain = false;
      this.applyFilterText();
    });
  }

  setFilterKind(kind: FilterKind): void {
    this.filterKind = kind;
    if (this.filterText) void this.reload();
  }

  toggleChange(change: Change): void {
    this.filterChanges = this.filterChanges.includes(change)
      ? this.filterChanges.filter((c) => c !== change)
      : [...this.filterChanges, change];
    void this.reload();
  }

  setMinSize(bytes: number): void {
    this.minSize = bytes;
    void this.reload();
  }

  clearFilter(): void {
    this.filterAgain = false;
    this.filterText = '';
    this.filterChanges = [];
    this.minSize = 0;
    void this.reload();
  }

  select(path: string | null, index: number, show = true): void {
    this.selectedPath = path;
    this.selectedIndex = path === null ? -1 : index;
    if (path !== null && show) this.inspecting = 'file';
  }

  /**
   * Shows `path` in the tree: opens the directories above it and selects it. When the current
   * view hides it (only changes, or a filter), switches to the whole file system first.
   * With `layer`, selects that layer first. Resolves to false when the path is not there.
   */
  async goTo(path: string, layer = this.layer): Promise<boolean> {
    this.panel = 'files';
    const layerChanged = layer !== this.layer;
    this.layer = layer;
    let index = layerChanged ? await this.reload(path) : await this.tree.reveal(path);
    if (index === null) return false;
    if (index < 0 && (this.mode !== 'aggregate' || this.filterActive)) {
      this.filterAgain = false;
      this.mode = 'aggregate';
      this.filterText = '';
      this.filterChanges = [];
      this.minSize = 0;
      index = await this.reload(path);
    }
    if (index === null || index < 0) return false;
    this.select(path, index);
    this.scrollRequest++;
    this.wantsTreeFocus = true;
    return true;
  }

  focusFilter(): void {
    this.panel = 'files';
    this.wantsFilterFocus = true;
  }

  dispose(): void {
    this.disposed = true;
    this.tree.dispose();
  }

  /**
   * Opens the view for the current spec, keeping the selected path (or `keep`) in view.
   * Resolves to the kept path's row, or null when a later reload overtook this one.
   */
  private async reload(keep: string | null = this.selectedPath): Promise<number | null> {
    let index: number | null;
    try {
      index = await this.tree.open(this.spec, keep);
    } catch (error) {
      if (error instanceof ApiError && error.code === 'bad-request' && this.filterText) {
        this.filterProblem = error.message;
        return null;
      }
      this.report(error);
      return null;
    }
    if (index === null) return null;
    this.filterProblem = null;
    if (keep !== null && keep === this.selectedPath) {
      this.selectedIndex = index;
      if (index >= 0) this.scrollRequest++;
    }
    return index;
  }
}
