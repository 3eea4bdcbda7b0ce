// The image model as the CLI's JSON and the renderer see it (DESIGN.md, "Semantics").
import type { Finding } from './findings';

export type EntryType =
  | 'file'
  | 'dir'
  | 'symlink'
  | 'hardlink'
  | 'char'
  | 'block'
  | 'fifo'
  /** A tar type no writer of layers uses; kept so nothing silently disappears. */
  | 'other';
export type Change = 'added' | 'modified' | 'removed' | 'unchanged';

/** How the outer archive was laid out. */
export type ArchiveFormat = 'docker-save' | 'oci-layout' | 'docker-save+oci';

export interface ImageConfigSummary {
  env: string[];
  cmd: string[] | null;
  entrypoint: string[] | null;
  workingDir: string;
  user: string;
  labels: Record<string, string>;
  exposedPorts: string[];
  volumes: string[];
}

export interface ImageMeta {
  /** `sha256:` digest of the config blob. */
  id: string;
  tags: string[];
  os: string;
  architecture: string;
  created: string | null;
  config: ImageConfigSummary;
}

export interface LayerSummary {
  index: number;
  diffId: string;
  /** Bytes of regular-file content in the layer's tar. */
  size: number;
  command: string;
  created: string | null;
  added: number;
  modified: number;
  removed: number;
}

export interface HistoryStep {
  command: string;
  created: string | null;
  emptyLayer: boolean;
  /** The layer this step produced, or null for a metadata-only step. */
  layerIndex: number | null;
}

export interface Efficiency {
  /** visible bytes / stored bytes, 1 when nothing is stored. */
  score: number;
  wastedBytes: number;
  userWastedPercent: number;
}

/** `strata inspect --json`, exactly. */
export interface InspectResult {
  format: ArchiveFormat;
  image: ImageMeta;
  layers: LayerSummary[];
  history: HistoryStep[];
  totals: { files: number; size: number };
  efficiency: Efficiency;
  /** The same figures computed exactly as dive computes them, for thresholds tuned to dive. */
  dive: { efficiency: number; wastedBytes: number; userWastedPercent: number };
  /** Secrets and risky files (`strata inspect` fills it; the app asks for it with image:findings). */
  findings?: Finding[];
  /** What did not stop the read but a person should know (history that does not match the layers, odd entries). */
  warnings: string[];
}

/** An image the service holds open, addressed by handle. */
export interface OpenedImage {
  handle: string;
  /** What the user opened: a file name, a path, or `demo`. */
  source: string;
  inspect: InspectResult;
}

/** A layer read while its image opens: its entries and its bytes as a tar, uncompressed. */
export interface IndexedLayerInfo {
  files: number;
  size: number;
}

/** One build step, with the layer it made when that can be told. */
export interface PreviewStep {
  command: string;
  created: string | null;
  /** The bytes of its layer: as the engine reports them, or as the archive stores them. */
  size: number;
  layerIndex: number | null;
}

/**
 * An image as known before any layer is read (an engine's inspect and history, an archive's
 * manifest and config): the UI shows it and its steps while the image opens.
 */
export interface OpeningPreview {
  /** What was asked for: an engine's name or ID, an archive's name. */
  ref: string;
  id: string;
  tags: string[];
  os: string;
  architecture: string;
  created: string | null;
  /** The engine's size of the image (the export's expected size), or the archive's layers' stored bytes. */
  size: number;
  /** The layers' diff IDs, base first. */
  diffIds: string[];
  steps: PreviewStep[];
}
