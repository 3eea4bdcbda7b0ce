// The explorer half of StrataApi, the same over both transports: file views a page of rows at a
// time, one entry's details, a file's bytes a page at a time, waste, findings and the size map.
// Saving a file differs: Electron asks where with a native dialog, the browser downloads a URL.
import type {
  Channels,
  OpenedViewAnswer,
  RowsPage,
  RowsWanted,
} from '../../../src-main/api/contract';
import type {
  EntryDetails,
  SizeMapNode,
  TreeRow,
  TreeViewSpec,
  WastedPath,
} from '../../../src-main/api/explorer';
import type { Finding } from '../../../src-main/api/findings';

export type ExplorerChannel =
  | 'view:open'
  | 'view:rows'
  | 'view:expand'
  | 'view:expandAll'
  | 'view:reveal'
  | 'view:close'
  | 'image:entry'
  | 'image:read'
  | 'image:waste'
  | 'image:findings'
  | 'image:sizeMap'
  | 'file:save';

/** One call of an explorer channel: resolves to its response, throws ApiError for `{ok:false}`. */
export type ExplorerCall = <C extends ExplorerChannel>(
  channel: C,
  request: Channels[C]['request'],
) => Promise<Channels[C]['response']>;

/** Where a file of an image is, for the inspector and for saving it. */
export interface FileRef {
  handle: string;
  layer: number;
  path: string;
}

/**
 * An open view: its row count and the paths that match the filter (null without one); with
 * `keep`, that path's row as `index`; with `rows`, a page of rows (a comparison's views answer
 * neither, and the tree asks for them apart).
 */
export type OpenedView = OpenedViewAnswer;

/** What openView may be asked besides the view (see view:open). */
export interface OpenOptions {
  keep?: string;
  rows?: RowsWanted;
}

export interface ExplorerApi {
  openView(handle: string, spec: TreeViewSpec, options?: OpenOptions): Promise<OpenedView>;
  rows(viewId: string, offset: number, limit: number): Promise<{ total: number; rows: TreeRow[] }>;
  /** Opens or closes a directory; resolves to the new row count, and `rows` as they are now. */
  expand(
    viewId: string,
    path: string,
    expanded: boolean,
    rows?: RowsWanted,
  ): Promise<{ total: number } & Partial<RowsPage>>;
  expandAll(viewId: string, expanded: boolean): Promise<number>;
  /** Opens the directories above `path`: its row index (-1 when the filter hides it). */
  reveal(viewId: string, path: string): Promise<{ total: number; index: number }>;
  closeView(viewId: string): Promise<void>;
  entry(file: FileRef): Promise<EntryDetails>;
  /** Up to 1 MiB of the file's bytes from `offset`, and the file's size. */
  read(
    file: FileRef,
    offset: number,
    length: number,
  ): Promise<{ bytes: Uint8Array; total: number }>;
  waste(handle: string): Promise<WastedPath[]>;
  /** Secrets and risky files, secret values masked (the service computes them once per image). */
  findings(handle: string): Promise<Finding[]>;
  sizeMap(handle: string, layer: number, path: string, depth: number): Promise<SizeMapNode>;
  /**
   * How Save As works here: `dialog` (Electron: saveFile asks where and writes), or `download`
   * (the browser: a link to downloadUrl).
   */
  readonly saveBy: 'dialog' | 'download';
  /** Electron: asks where, writes the file there; the saved path, or null when cancelled. */
  saveFile(file: FileRef): Promise<string | null>;
  /** The browser: a same-origin URL that downloads the file (the session cookie authorizes it). */
  downloadUrl(file: FileRef): string;
}

/** The most bytes one read answers (the service's limit). */
export const MAX_READ_BYTES = 1024 * 1024;

export function decodeBase64(base64: string): Uint8Array {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export function createExplorerApi(call: ExplorerCall, saveBy: ExplorerApi['saveBy']): ExplorerApi {
  return {
    openView: (handle, spec, options) => call('view:open', { handle, ...spec, ...options }),
    async rows(viewId, offset, limit) {
      const { total, rows } = await call('view:rows', { viewId, offset, limit });
      return { total, rows };
    },
    expand: (viewId, path, expanded, rows) =>
      call('view:expand', { viewId, path, expanded, ...(rows ? { rows } : {}) }),
    async expandAll(viewId, expanded) {
      return (await call('view:expandAll', { viewId, expanded })).total;
    },
    reveal: (viewId, path) => call('view:reveal', { viewId, path }),
    async closeView(viewId) {
      await call('view:close', { viewId });
    },
    entry: (file) => call('image:entry', { ...file }),
    async read(file, offset, length) {
      const answer = await call('image:read', {
        ...file,
        offset,
        length: Math.min(length, MAX_READ_BYTES),
      });
      return { bytes: decodeBase64(answer.base64), total: answer.total };
    },
    waste: (handle) => call('image:waste', { handle }),
    findings: (handle) => call('image:findings', { handle }),
    sizeMap: (handle, layer, path, depth) => call('image:sizeMap', { handle, layer, path, depth }),
    saveBy,
    saveFile: (file) => call('file:save', { ...file }),
    downloadUrl: ({ handle, layer, path }) => {
      const query = new URLSearchParams({ handle, layer: String(layer), path });
      return `/api/file?${query.toString()}`;
    },
  };
}
