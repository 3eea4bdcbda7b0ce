// What the explorer asks about an open image, a page at a time (DESIGN.md "Data flow", 6).
import type { Change, EntryType } from './model';
import type { DiffAspect } from './compare';

export type ViewMode = 'aggregate' | 'changes';
export type TreeSort = 'size' | 'name';

export interface TreeFilter {
  text?: string;
  kind?: 'substring' | 'glob' | 'regex';
  /** Only paths with one of these changes (empty or absent: any). */
  changes?: Change[];
  /** Only files of at least this many bytes. */
  minSize?: number;
}

export interface TreeViewSpec {
  layer: number;
  mode: ViewMode;
  sort: TreeSort;
  filter?: TreeFilter;
}

/** One row of a file view. */
export interface TreeRow {
  path: string;
  name: string;
  /** 0 for children of the root. */
  depth: number;
  type: EntryType;
  /** The entry's own content bytes. */
  size: number;
  /** For directories, the bytes of everything below. */
  totalSize: number;
  mode: number;
  uid: number;
  gid: number;
  linkTarget: string | null;
  change: Change;
  /** The layer whose entry this is. */
  layer: number;
  /** Children that pass the filter (0 for files). */
  childCount: number;
  expanded: boolean;
  /** Rows of a comparison view carry both sides. */
  diff?: RowDiff;
}

/** A compared path: A's and B's content sizes (null where the path is absent) and what changed. */
export interface RowDiff {
  aSize: number | null;
  bSize: number | null;
  aspects: DiffAspect[];
  /** Bytes B has more than A here: a file's own, a directory's summed over the files below it. */
  delta: number;
}

export interface EntryDetails {
  path: string;
  type: EntryType;
  size: number;
  mode: number;
  uid: number;
  gid: number;
  /** ISO time from the tar header. */
  mtime: string;
  linkTarget: string | null;
  /** Where a symlink or hardlink leads inside the image, or null when nothing is there. */
  resolvedPath: string | null;
  /** The layer whose entry this is. */
  layer: number;
  /** What the selected layer did to the path. */
  change: Change;
  xattrs: { name: string; size: number }[];
  /** Every layer that wrote or removed this path, base first. */
  history: { layer: number; change: Change; type: EntryType | null; size: number | null }[];
}

export type WasteKind = 'deleted' | 'overwritten' | 'duplicated';

export interface WastedPath {
  path: string;
  kind: WasteKind;
  wastedBytes: number;
  /** Every layer that stored content at this path, with the bytes it stored. */
  copies: { layer: number; size: number }[];
}

export interface SizeMapNode {
  name: string;
  /** Null for the folded "N more" node. */
  path: string | null;
  size: number;
  /** The layer that wrote most of these bytes. */
  layer: number;
  isDir: boolean;
  children?: SizeMapNode[];
}
