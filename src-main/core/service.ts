// The one facade every front door (Electron IPC, the browser mode, the CLI) calls. It holds the
// open images by handle and answers page-sized questions about them.
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import { basename } from 'node:path';
import type { OpenedImage } from '../api/model';
import type {
  OpenedViewAnswer,
  OpeningSnapshot,
  RowsPage,
  RowsWanted,
  StrataEvent,
} from '../api/contract';
import { describeError, StrataError } from './errors';
import { summarize } from './inspect';
import { loadImage, type ImageModel } from './image/load-image';
import { archivePreview } from './image/archive-preview';
import type { ImageChoice } from './archive/resolve-image';
import { LayerIndexCache } from './layer/index-cache';
import { demoArchivePath } from './demo/demo-archive';
import type { EngineImageList, EngineList, ExportCacheInfo } from '../api/engine';
import { EngineSession, type EngineSessionOptions } from './source/engine-session';
import { parseSource, sourceLabel, type SourceSpec } from './source/source-spec';
import type { EntryDetails, SizeMapNode, TreeRow, TreeViewSpec, WastedPath } from '../api/explorer';
import { TreeView, checkSpec } from './view/tree-view';
import { makeViewsAhead, type ViewsAheadOptions } from './view/views-ahead';
import { prepareViewTree } from './view/view-tree';
import { entryDetails, fileAt, readEntryBytes } from './image/entry-details';
import { openContent } from './image/read-file';
import type { Readable } from 'node:stream';
import { checkLayer } from './image/layer-view';
import { wastedPaths } from './analysis/waste';
import { sizeMap } from './analysis/size-map';
import { findFindings } from './analysis/findings';
import type { Finding } from '../api/findings';
import { Comparisons } from './compare/comparisons';
import type { ComparedFile, CompareSummary } from '../api/compare';
import type { TreeFilter, TreeSort } from '../api/explorer';

export interface StrataServiceEvents {
  event: [StrataEvent];
}

export interface StrataServiceOptions {
  /** The engine side: export cache, engine discovery (tests give their own). */
  engines?: EngineSessionOptions;
  /** Which views are made ahead after an open (see views-ahead.ts). */
  viewsAhead?: ViewsAheadOptions;
}

interface OpenImage {
  opened: OpenedImage;
  model: ImageModel;
  waste?: Promise<WastedPath[]>;
  findings?: Promise<Finding[]>;
  viewsAhead?: Promise<void>;
}

/** An open in flight: what its events told so far, for a page that comes later. */
interface OpenInFlight {
  snapshot: OpeningSnapshot;
  /** No page asked for it: listed in openings(). */
  unasked: boolean;
  /** Called once the image is described, before any layer. */
  onPreview?: () => void;
}

function newSnapshot(source: string): OpeningSnapshot {
  return { source, progress: null, preview: null, indexed: {} };
}

/** Views kept open at most; the oldest is dropped first (the renderer reopens one it needs). */
const MAX_VIEWS = 64;
/** The most bytes one read answers. */
export const MAX_READ_BYTES = 1024 * 1024;

export class StrataService extends EventEmitter<StrataServiceEvents> {
  private readonly images = new Map<string, OpenImage>();
  private readonly views = new Map<string, { handle: string; view: TreeView }>();
  private readonly comparisons = new Comparisons();
  private readonly inFlight = new Set<OpenInFlight>();
  private readonly failedUnasked: OpeningSnapshot[] = [];
  /** Shared by every image this service opens: a layer two images share is read once. */
  readonly layerCache = new LayerIndexCache();
  /** Engines, their images, opens from them and the export cache. */
  readonly engines: EngineSession;
  private readonly viewsAhead: ViewsAheadOptions | undefined;

  constructor(options: StrataServiceOptions = {}) {
    super();
    this.viewsAhead = options.viewsAhead;
    this.engines = new EngineSession((event) => {
      this.noteEngineEvent(event);
      this.emit('event', event);
    }, options.engines);
  }

  /** Opens the archive at `path`; `label` is what the UI shows as its source (default: the file name). */
  open(path: string, label = basename(path), choice: ImageChoice = {}): Promise<OpenedImage> {
    return this.openArchive(path, choice, { snapshot: newSnapshot(label), unasked: false });
  }

  private async openArchive(
    path: string,
    choice: ImageChoice,
    open: OpenInFlight,
  ): Promise<OpenedImage> {
    const { snapshot } = open;
    const label = snapshot.source;
    this.inFlight.add(open);
    try {
      const model = await loadImage(path, {
        ...choice,
        label,
        cache: this.layerCache,
        onProgress: (phase, done, total) => {
          snapshot.progress = { type: 'progress', source: label, phase, done, total };
          this.emit('event', snapshot.progress);
        },
        onResolved: (resolved) => {
          snapshot.preview = archivePreview(label, resolved);
          this.emit('event', { type: 'open-preview', source: label, preview: snapshot.preview });
          open.onPreview?.();
        },
        onLayer: (layerIndex, index) => {
          const layer = { files: index.entries.length, size: index.size };
          snapshot.indexed[layerIndex] = layer;
          this.emit('event', { type: 'open-layer', source: label, layerIndex, ...layer });
        },
      });
      return this.hold(model, label);
    } finally {
      this.inFlight.delete(open);
    }
  }

  /** An engine open in flight takes what its events tell, for a page that comes later. */
  private noteEngineEvent(event: StrataEvent): void {
    if (!('openId' in event)) return;
    const open = [...this.inFlight].find((o) => o.snapshot.engine?.openId === event.openId);
    const engine = open?.snapshot.engine;
    if (!open || !engine) return;
    const { snapshot } = open;
    if (event.type === 'engine-open-progress') engine.progress = event;
    else if (event.type === 'engine-layer-indexed' && event.layerIndex !== null) {
      snapshot.indexed[event.layerIndex] = { files: event.files, size: event.size };
    } else if (event.type === 'engine-open-preview') {
      snapshot.preview = event.preview;
      open.onPreview?.();
    }
  }

  /**
   * The opens no page asked for, as far as each is, and those of them that failed (a page that
   * asked for an open has its answer; another page is not told of it).
   */
  openings(): OpeningSnapshot[] {
    const unasked = [...this.inFlight].filter((open) => open.unasked);
    const snapshots = [...unasked.map((open) => open.snapshot), ...this.failedUnasked];
    return snapshots.map((snapshot) => structuredClone(snapshot));
  }

  /**
   * Opens a SOURCE no page asked for (one given on the command line): while it opens, pages find
   * it in `openings()`, named `sourceLabel(SOURCE)`; every page is told how it ended, `opened` or
   * `open-failed` (a failure stays listed for pages that come later; a cancel does not). `onPreview`
   * is called once the image is described (manifest and config, or the engine's inspect and
   * history), before any layer. Rejects as openSource does.
   */
  async openUnasked(text: string, onPreview?: () => void): Promise<OpenedImage> {
    let label = text;
    try {
      const spec = parseSource(text);
      label = sourceLabel(spec);
      const open = { snapshot: newSnapshot(label), onPreview, unasked: true };
      const image = await this.openSpec(spec, text, {}, open);
      this.emit('event', { type: 'opened', image });
      return image;
    } catch (err) {
      const failed = describeError(err);
      if (failed.code !== 'cancelled') {
        this.failedUnasked.push({ ...newSnapshot(label), failed });
      }
      this.emit('event', { type: 'open-failed', source: label, ...failed });
      throw err;
    }
  }

  /** A SOURCE as the CLI takes it: an archive path, `docker://REF` or `podman://REF`. */
  async openSource(text: string, choice: ImageChoice = {}): Promise<OpenedImage> {
    const spec = parseSource(text);
    const open = { snapshot: newSnapshot(sourceLabel(spec)), unasked: false };
    return this.openSpec(spec, text, choice, open);
  }

  private async openSpec(
    spec: SourceSpec,
    text: string,
    choice: ImageChoice,
    open: OpenInFlight,
  ): Promise<OpenedImage> {
    if (spec.kind === 'path') return this.openArchive(spec.path, choice, open);
    const openId = randomUUID();
    open.snapshot.engine = { openId, ref: spec.ref, progress: null };
    this.inFlight.add(open);
    try {
      const opened = await this.engines.openSource(text, this.layerCache, choice, openId);
      return this.hold(opened.model, opened.label);
    } finally {
      this.inFlight.delete(open);
    }
  }

  listEngines(): Promise<EngineList> {
    return this.engines.list();
  }

  selectEngine(id: string): Promise<EngineList> {
    return this.engines.select(id);
  }

  /** The current engine's images; `engine-images-changed` events follow when they change. */
  engineImages(): Promise<EngineImageList> {
    return this.engines.images();
  }

  /** Opens an image of the current engine; `openId` (the caller's) names it in progress events. */
  async openEngineImage(ref: string, openId: string, platform?: string): Promise<OpenedImage> {
    const { model, label } = await this.engines.open(ref, openId, this.layerCache, { platform });
    return this.hold(model, label);
  }

  cancelEngineOpen(openId: string): void {
    this.engines.cancel(openId);
  }

  engineCacheInfo(): Promise<ExportCacheInfo> {
    return this.engines.cacheInfo();
  }

  clearEngineCache(): Promise<ExportCacheInfo> {
    return this.engines.clearCache();
  }

  /** Closes every image, cancels opens in flight and stops following engine events. */
  async dispose(): Promise<void> {
    await this.engines.dispose();
    await this.closeAll();
  }

  private hold(model: ImageModel, label: string): OpenedImage {
    const opened: OpenedImage = { handle: randomUUID(), source: label, inspect: summarize(model) };
    const image: OpenImage = { opened, model };
    this.images.set(opened.handle, image);
    const stillOpen = () => this.images.get(opened.handle) === image;
    image.viewsAhead = makeViewsAhead(model, stillOpen, this.viewsAhead);
    return opened;
  }

  /** Resolves once the views made ahead after the image's open are made. */
  viewsMadeAhead(handle: string): Promise<void> {
    return this.lookup(handle).viewsAhead ?? Promise.resolve();
  }

  async openDemo(): Promise<OpenedImage> {
    return this.open(await demoArchivePath(), 'demo');
  }

  list(): OpenedImage[] {
    return [...this.images.values()].map((image) => image.opened);
  }

  get(handle: string): OpenedImage {
    return this.lookup(handle).opened;
  }

  /** The image model behind a handle, for the page-sized queries. */
  model(handle: string): ImageModel {
    return this.lookup(handle).model;
  }

  async close(handle: string): Promise<void> {
    const image = this.images.get(handle);
    if (!image) return;
    this.images.delete(handle);
    for (const [id, v] of this.views) if (v.handle === handle) this.views.delete(id);
    this.comparisons.forget(handle);
    await image.model.close();
  }

  /**
   * Makes the tree a view of `spec` shows in turns of the event loop, so that openView, called
   * next, finds it made (a tree is made at once otherwise, holding every other request).
   */
  async prepareView(handle: string, spec: TreeViewSpec): Promise<void> {
    const model = this.model(handle);
    checkSpec(spec, model.indexes.length);
    await prepareViewTree(model, spec.layer, spec.mode);
  }

  /**
   * Opens a file view. With `keep`, opens the directories above that path too and answers its
   * row; with `rows`, answers a page of rows as well: from `rows.offset`, or the page that holds
   * the kept path when the view shows it.
   */
  openView(handle: string, spec: TreeViewSpec, keep?: string, rows?: RowsWanted): OpenedViewAnswer {
    const model = this.model(handle);
    checkSpec(spec, model.indexes.length);
    const view = new TreeView(model, spec);
    const index = keep === undefined ? undefined : view.reveal(keep);
    const opened: OpenedViewAnswer = this.keepView(handle, view);
    if (index !== undefined) opened.index = index;
    if (rows) {
      const offset =
        index !== undefined && index >= 0 && rows.limit > 0
          ? Math.floor(index / rows.limit) * rows.limit
          : rows.offset;
      opened.offset = offset;
      opened.rows = view.page(offset, rows.limit);
    }
    return opened;
  }

  viewRows(
    viewId: string,
    offset: number,
    limit: number,
  ): { total: number; offset: number; rows: TreeRow[] } {
    const view = this.view(viewId);
    return { total: view.total, offset, rows: view.page(offset, limit) };
  }

  /** Opens or closes a directory; with `rows`, answers those rows as they are after it. */
  expand(
    viewId: string,
    path: string,
    expanded: boolean,
    rows?: RowsWanted,
  ): { total: number } & Partial<RowsPage> {
    const view = this.view(viewId);
    view.setExpanded(path, expanded);
    if (!rows) return { total: view.total };
    return { total: view.total, offset: rows.offset, rows: view.page(rows.offset, rows.limit) };
  }

  expandAll(viewId: string, expanded: boolean): { total: number } {
    const view = this.view(viewId);
    view.expandAll(expanded);
    return { total: view.total };
  }

  reveal(viewId: string, path: string): { total: number; index: number } {
    const view = this.view(viewId);
    const index = view.reveal(path);
    return { total: view.total, index };
  }

  closeView(viewId: string): void {
    this.views.delete(viewId);
  }

  entry(handle: string, layer: number, path: string): EntryDetails {
    const model = this.model(handle);
    return entryDetails(model, checkLayer(model, layer), path);
  }

  async read(
    handle: string,
    layer: number,
    path: string,
    offset: number,
    length: number,
  ): Promise<{ bytes: Buffer; offset: number; total: number }> {
    const model = this.model(handle);
    const { bytes, total } = await readEntryBytes(
      model,
      checkLayer(model, layer),
      path,
      offset,
      Math.min(length, MAX_READ_BYTES),
    );
    return { bytes, offset, total };
  }

  /** A file's whole content as a stream (Save As), hardlinks read through to their target. */
  async openFile(
    handle: string,
    layer: number,
    path: string,
  ): Promise<{ stream: Readable; size: number }> {
    const model = this.model(handle);
    const placed = fileAt(model, checkLayer(model, layer), path);
    return { stream: openContent(model, placed), size: placed.entry.size };
  }

  findings(handle: string): Promise<Finding[]> {
    const image = this.lookup(handle);
    image.findings ??= findFindings(image.model);
    return image.findings;
  }

  waste(handle: string): Promise<WastedPath[]> {
    const image = this.lookup(handle);
    image.waste ??= wastedPaths(image.model);
    return image.waste;
  }

  sizeMap(handle: string, layer: number, path: string, depth: number): SizeMapNode {
    const model = this.model(handle);
    return sizeMap(model, checkLayer(model, layer), path, { depth });
  }

  /** Compares image A with image B (both open, by handle). */
  compare(a: string, b: string): Promise<CompareSummary> {
    const side = (handle: string) => ({
      handle,
      model: this.model(handle),
      label: this.get(handle).source,
    });
    return this.comparisons.compare(side(a), side(b));
  }

  openCompareView(
    compareId: string,
    show: 'changes' | 'all',
    sort: TreeSort,
    filter?: TreeFilter,
  ): { viewId: string; total: number; matches: number | null } {
    return this.keepView(compareId, this.comparisons.view(compareId, show, sort, filter));
  }

  compareFile(
    compareId: string,
    path: string,
  ): Promise<{ a: ComparedFile | null; b: ComparedFile | null }> {
    return this.comparisons.file(compareId, path);
  }

  closeCompare(compareId: string): void {
    this.comparisons.close(compareId);
    for (const [id, v] of this.views) if (v.handle === compareId) this.views.delete(id);
  }

  private keepView(
    owner: string,
    view: TreeView,
  ): { viewId: string; total: number; matches: number | null } {
    const viewId = randomUUID();
    this.views.set(viewId, { handle: owner, view });
    if (this.views.size > MAX_VIEWS) this.views.delete(this.views.keys().next().value!);
    return { viewId, total: view.total, matches: view.matches };
  }

  private view(viewId: string): TreeView {
    const entry = this.views.get(viewId);
    if (!entry) throw new StrataError('not-found', 'That file view is closed; open it again.');
    return entry.view;
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.images.keys()].map((handle) => this.close(handle)));
  }

  private lookup(handle: string): OpenImage {
    const image = this.images.get(handle);
    if (!image) throw new StrataError('not-found', `No open image has the handle ${handle}.`);
    return image;
  }
}
