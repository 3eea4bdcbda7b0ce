// Two images side by side: `strata diff A B --json` and the Compare view.
import type { Change, EntryType } from './model';

/** A path's attributes in one image, as `strata ls` lists them (without the change mark). */
export interface DiffEntry {
  path: string;
  type: EntryType;
  size: number;
  mode: number;
  uid: number;
  gid: number;
  linkTarget: string | null;
}

/** What differs between the two versions of a modified path. */
export type DiffAspect = 'type' | 'content' | 'mode' | 'owner' | 'linkTarget';

export interface FileDiff {
  path: string;
  change: Exclude<Change, 'unchanged'>;
  a: DiffEntry | null;
  b: DiffEntry | null;
  /** For `modified`: what changed. */
  aspects?: DiffAspect[];
}

export interface ConfigDiff {
  /** `os`, `architecture`, `cmd`, `entrypoint`, `workingDir`, `user`, `exposedPorts`, `volumes`, `env.NAME`, `label.KEY`. */
  field: string;
  a: string | null;
  b: string | null;
}

/** One row of the aligned layer stacks: shared, or the n-th divergent step of each side. */
export interface AlignedLayer {
  shared: boolean;
  a: { index: number; diffId: string; size: number; command: string } | null;
  b: { index: number; diffId: string; size: number; command: string } | null;
}

/** `strata diff A B --json`. */
export interface DiffResult {
  /** Leading layers with the same diff ID chain. */
  sharedLayers: number;
  files: FileDiff[];
  config: ConfigDiff[];
  /** Bytes of B's layers minus A's. */
  sizeDelta: number;
  layers: AlignedLayer[];
  summary: { added: number; removed: number; modified: number };
}

/** What the Compare view shows first; the files come through a view (`compare:view`). */
export interface CompareSummary {
  compareId: string;
  a: string;
  b: string;
  sharedLayers: number;
  sizeDelta: number;
  summary: { added: number; removed: number; modified: number };
  layers: AlignedLayer[];
  config: ConfigDiff[];
  /** The paths that grew the most from A to B (bytes of B minus bytes of A), largest first. */
  largestGrowths: { path: string; delta: number }[];
}

/** One side of a compared file: its bytes (up to 1 MiB, base64) and its digest. */
export interface ComparedFile {
  size: number;
  digest: string;
  base64: string;
  truncated: boolean;
}
