// The contract between the renderer and whichever front door serves it (Electron IPC or the
// browser mode's HTTP). One entry per channel; main validates every request before use.
import type { IndexedLayerInfo, OpenedImage, OpeningPreview } from './model';
import {
  ENGINE_CHANNELS,
  type EngineChannels,
  type EngineEvent,
  type EngineOpenProgressEvent,
} from './engine';
import type {
  EntryDetails,
  SizeMapNode,
  TreeFilter,
  TreeRow,
  TreeSort,
  TreeViewSpec,
  WastedPath,
} from './explorer';
import type { ComparedFile, CompareSummary } from './compare';
import type { Finding } from './findings';

/** A page of rows a call may ask to have in its answer (saving a view:rows after it). */
export interface RowsWanted {
  offset: number;
  limit: number;
}

export interface RowsPage {
  offset: number;
  rows: TreeRow[];
}

export interface OpenedViewAnswer extends Partial<RowsPage> {
  viewId: string;
  total: number;
  matches: number | null;
  index?: number;
}

/** The engine channels (list, images, open with progress and cancel, export cache) are in engine.ts. */
export interface Channels extends EngineChannels {
  /** Open an archive at a path on the machine running the service. */
  'image:open': { request: { path: string }; response: OpenedImage };
  /** Open the embedded demo image. */
  'image:openDemo': { request: Record<string, never>; response: OpenedImage };
  /** Images already open (for example the SOURCEs given on the command line). */
  'image:list': { request: Record<string, never>; response: OpenedImage[] };
  /** Images being opened right now, as far as they are (a SOURCE given on the command line). */
  'image:openings': { request: Record<string, never>; response: OpeningSnapshot[] };
  'image:close': { request: { handle: string }; response: null };
  /** Electron only: show the native Open dialog; null when cancelled. */
  'dialog:openArchive': { request: Record<string, never>; response: string | null };

  /**
   * A file view over one layer; rows are then fetched a page at a time. With `keep`, the
   * directories above that path are opened too and `index` is its row (-1 when the view hides
   * it); with `rows`, the answer carries a page of rows: the `limit` rows from `offset`, or, when
   * `keep` is shown, the page of `limit` rows that holds it (`offset` says which).
   */
  'view:open': {
    request: { handle: string } & TreeViewSpec & { keep?: string; rows?: RowsWanted };
    response: OpenedViewAnswer;
  };
  'view:rows': {
    request: { viewId: string; offset: number; limit: number };
    response: { total: number; offset: number; rows: TreeRow[] };
  };
  /** With `rows`, the answer carries the rows from `offset` as they are after the change. */
  'view:expand': {
    request: { viewId: string; path: string; expanded: boolean; rows?: RowsWanted };
    response: { total: number } & Partial<RowsPage>;
  };
  'view:expandAll': { request: { viewId: string; expanded: boolean }; response: { total: number } };
  /** Opens the directories above `path`; `index` is its row, -1 when the filter hides it. */
  'view:reveal': {
    request: { viewId: string; path: string };
    response: { total: number; index: number };
  };
  'view:close': { request: { viewId: string }; response: null };
  'image:entry': {
    request: { handle: string; layer: number; path: string };
    response: EntryDetails;
  };
  /** Up to 1 MiB of a file's bytes, base64. */
  'image:read': {
    request: { handle: string; layer: number; path: string; offset: number; length: number };
    response: { base64: string; offset: number; total: number };
  };
  'image:waste': { request: { handle: string }; response: WastedPath[] };
  /** Secrets and risky files, each with the layer that added it (computed once per image). */
  'image:findings': { request: { handle: string }; response: Finding[] };
  'image:sizeMap': {
    request: { handle: string; layer: number; path: string; depth: number };
    response: SizeMapNode;
  };
  /** Compares two open images (A, B by handle). */
  'compare:open': { request: { a: string; b: string }; response: CompareSummary };
  /** A file view of a comparison: only the differences, or everything. */
  'compare:view': {
    request: { compareId: string; show: 'changes' | 'all'; sort: TreeSort; filter?: TreeFilter };
    response: { viewId: string; total: number; matches: number | null };
  };
  /** Both sides of one path, for the text or binary diff. */
  'compare:file': {
    request: { compareId: string; path: string };
    response: { a: ComparedFile | null; b: ComparedFile | null };
  };
  'compare:close': { request: { compareId: string }; response: null };
  /** Electron only: asks where to save, then writes the file's bytes there; null when cancelled. */
  'file:save': {
    request: { handle: string; layer: number; path: string };
    response: string | null;
  };
}

export type Channel = keyof Channels;
export const CHANNELS = [
  'image:open',
  'image:openDemo',
  'image:list',
  'image:openings',
  'image:close',
  'dialog:openArchive',
  ...ENGINE_CHANNELS,
  'view:open',
  'view:rows',
  'view:expand',
  'view:expandAll',
  'view:reveal',
  'view:close',
  'image:entry',
  'image:read',
  'image:waste',
  'image:findings',
  'image:sizeMap',
  'file:save',
  'compare:open',
  'compare:view',
  'compare:file',
  'compare:close',
] as const satisfies readonly Channel[];

export type Request<C extends Channel> = Channels[C]['request'];
export type Response<C extends Channel> = Channels[C]['response'];

export interface ErrorInfo {
  /** Stable machine-readable code: `bad-request`, `not-found`, `bad-archive`, `internal`, ... */
  code: string;
  /** One clear line for a person: what, where, what to do. */
  message: string;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: ErrorInfo };

/**
 * The browser mode's WebSocket carries calls both ways: the page sends a SocketCall, the server
 * answers it with the SocketReply of the same number, and pushes StrataEvents between them.
 */
export interface SocketCall {
  call: number;
  channel: string;
  request: unknown;
}
export interface SocketReply {
  reply: number;
  result: Result<unknown>;
}

/** Events pushed from the service to the renderer. */
export interface ProgressEvent {
  type: 'progress';
  /** What is being read: a path or image reference. */
  source: string;
  phase: 'reading' | 'indexing' | 'done';
  done: number;
  total: number | null;
}
/** An archive's image as its manifest and config give it, before any layer is read. */
export interface OpenPreviewEvent {
  type: 'open-preview';
  source: string;
  preview: OpeningPreview;
}
/** One layer of an archive being opened is read and stacked (base first). */
export interface OpenLayerEvent extends IndexedLayerInfo {
  type: 'open-layer';
  source: string;
  layerIndex: number;
}
/** An image being opened: what its events have told so far. */
export interface OpeningSnapshot {
  source: string;
  progress: ProgressEvent | null;
  preview: OpeningPreview | null;
  /** Layers read and stacked so far, by layer index. */
  indexed: Record<number, IndexedLayerInfo>;
  /** An image from an engine: its events carry `openId`, which `engine:cancelOpen` takes. */
  engine?: { openId: string; ref: string; progress: EngineOpenProgressEvent | null };
  /** Why it could not be opened, for a SOURCE on the command line that failed after it showed. */
  failed?: { code: string; message: string };
}
/** An image the page did not ask for (a SOURCE on the command line) could not be opened. */
export interface OpenFailedEvent {
  type: 'open-failed';
  source: string;
  code: string;
  message: string;
}
/** An image opened without the page asking (Electron's File > Open…, a second launch with a path). */
export interface ImageOpenedEvent {
  type: 'opened';
  image: OpenedImage;
}
/** A native menu item the renderer carries out (Electron): File > Open…, Close Tab, Edit > Find. */
export interface MenuEvent {
  type: 'menu';
  action: 'open' | 'close-tab' | 'find';
}
export type StrataEvent =
  | ProgressEvent
  | OpenPreviewEvent
  | OpenLayerEvent
  | OpenFailedEvent
  | ImageOpenedEvent
  | EngineEvent
  | MenuEvent;
