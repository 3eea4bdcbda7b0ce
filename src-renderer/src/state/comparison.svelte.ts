// One comparison of two open images (A and B): the summary the service worked out, which panel
// is in front, and the file tree of the differences. The tree is an Explorer (the very file
// tree, toolbar, keys and selection of the image view) whose file views come from the
// comparison: its "changes" mode shows the differences, its "aggregate" mode everything.
import type { CompareSummary } from '../../../src-main/api/compare';
import type { Change, OpenedImage } from '../../../src-main/api/model';
import type { CompareApi } from '../api/compare-api';
import type { ExplorerApi } from '../api/explorer-api';
import type { StrataApi } from '../api/strata-api';
import { Explorer } from './explorer.svelte';

export type ComparePanel = 'overview' | 'files' | 'config' | 'history';
export type DiffLayout = 'split' | 'unified';

/** The explorer's view calls, with views opened on the comparison instead of one image. */
export function comparisonRows(
  explorer: ExplorerApi,
  compare: CompareApi,
  compareId: string,
): ExplorerApi {
  return {
    ...explorer,
    openView: (_handle, spec) =>
      compare.openView(
        compareId,
        spec.mode === 'aggregate' ? 'all' : 'changes',
        spec.sort,
        spec.filter,
      ),
  };
}

export class Comparison {
  readonly a: OpenedImage;
  readonly b: OpenedImage;
  summary = $state.raw<CompareSummary | null>(null);
  /** Why the comparison could not be made, or null. */
  problem = $state<string | null>(null);
  panel = $state<ComparePanel>('overview');
  /** The file tree of the differences, once the summary is in. */
  files = $state.raw<Explorer | null>(null);
  /** How the file diff shows a text file. */
  layout = $state<DiffLayout>('split');
  /** The config table shows only the fields that differ. */
  onlyChangedConfig = $state(false);

  private disposed = false;

  constructor(
    private readonly api: StrataApi,
    a: OpenedImage,
    b: OpenedImage,
    private readonly report: (error: unknown) => void,
  ) {
    this.a = a;
    this.b = b;
  }

  /** True for the comparison of exactly these two images, in this order. */
  is(a: string, b: string): boolean {
    return this.a.handle === a && this.b.handle === b;
  }

  involves(handle: string): boolean {
    return this.a.handle === handle || this.b.handle === handle;
  }

  async start(): Promise<void> {
    let summary: CompareSummary;
    try {
      summary = await this.api.compare.open(this.a.handle, this.b.handle);
    } catch (error) {
      // ApiError is an Error: its message is the service's one clear line.
      if (!this.disposed) this.problem = error instanceof Error ? error.message : String(error);
      return;
    }
    if (this.disposed) {
      void this.api.compare.close(summary.compareId).catch(() => {});
      return;
    }
    const rows = comparisonRows(this.api.explorer, this.api.compare, summary.compareId);
    const files = new Explorer({ ...this.api, explorer: rows }, this.b, this.report);
    files.start(files.layer);
    this.summary = summary;
    this.files = files;
  }

  /** Shows `path` in the Files panel, selected (with everything shown when it is no difference). */
  async showFile(path: string): Promise<void> {
    this.panel = 'files';
    const found = await this.files?.goTo(path);
    if (found === false) this.report(new Error(`${path} is in neither image.`));
  }

  /** Shows only the paths with this change in the Files panel. */
  showChanges(change: Exclude<Change, 'unchanged'>): void {
    this.panel = 'files';
    const files = this.files;
    if (!files) return;
    if (files.filterChanges.length === 1 && files.filterChanges[0] === change) {
      files.setMode('changes');
      return;
    }
    // One reload, with the mode and the change filter both set.
    files.mode = 'changes';
    files.filterChanges = [];
    files.toggleChange(change);
  }

  /** Brings the Files panel to the front with the focus in its filter. */
  focusFilter(): void {
    if (!this.files) return;
    this.panel = 'files';
    this.files.focusFilter();
  }

  dispose(): void {
    this.disposed = true;
    this.files?.dispose();
    const id = this.summary?.compareId;
    if (id) void this.api.compare.close(id).catch(() => {});
  }
}
