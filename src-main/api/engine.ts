// The engine part of the contract: the Docker and Podman engines Strata can talk to, their
// images, opening one (with a preview, progress and cancel) and the export cache.
import type { OpenedImage, OpeningPreview } from './model';

export type EngineKind = 'docker' | 'podman';

export interface EngineInfo {
  /** Stable key (kind and address); what `engine:select` takes. */
  id: string;
  kind: EngineKind;
  /** What a person calls it: `DOCKER_HOST`, `context "colima"`, `Docker socket`, `Podman (rootless)`. */
  name: string;
  /** `unix:///var/run/docker.sock`, `tcp://host:2376`, `ssh://user@host`. */
  host: string;
  /** Whether it answered when the list was made; null when not asked yet. */
  reachable: boolean | null;
  /** `Docker Engine 20.10.24 (API 1.41)`, `Podman Engine 4.3.1`; null when unreachable. */
  version: string | null;
}

export interface EngineList {
  engines: EngineInfo[];
  /** The engine the image list and opens use. */
  currentId: string;
}

/** One image as `docker images` lists it. */
export interface EngineImageSummary {
  /** `sha256:…` */
  id: string;
  /** `repository:tag`, several per image; empty for a dangling image. */
  tags: string[];
  digests: string[];
  size: number;
  /** ISO 8601, or null. */
  created: string | null;
  /** No tag at all (`<none>:<none>`). */
  dangling: boolean;
}

export interface EngineImageList {
  engine: EngineInfo;
  images: EngineImageSummary[];
}

export interface ExportCacheInfo {
  /** Where the exported archives are kept. */
  dir: string;
  bytes: number;
  images: number;
  /** The bound; the least recently used archives go first when it is passed. */
  maxBytes: number;
}

export interface EngineChannels {
  /** The engines found (DOCKER_HOST, docker contexts, default and Podman sockets), each pinged. */
  'engine:list': { request: Record<string, never>; response: EngineList };
  /** Use another of the listed engines. */
  'engine:select': { request: { id: string }; response: EngineList };
  /** The current engine's images; follows its events from then on (`engine-images-changed`). */
  'engine:images': { request: Record<string, never>; response: EngineImageList };
  /**
   * Opens an image of the current engine by name or ID. `openId` is the caller's: progress
   * events carry it and `engine:cancelOpen` takes it.
   */
  'engine:open': {
    request: { ref: string; openId: string; platform?: string };
    response: OpenedImage;
  };
  'engine:cancelOpen': { request: { openId: string }; response: null };
  'engine:cacheInfo': { request: Record<string, never>; response: ExportCacheInfo };
  /** Removes every cached export no open image reads. */
  'engine:clearCache': { request: Record<string, never>; response: ExportCacheInfo };
}

export const ENGINE_CHANNELS = [
  'engine:list',
  'engine:select',
  'engine:images',
  'engine:open',
  'engine:cancelOpen',
  'engine:cacheInfo',
  'engine:clearCache',
] as const satisfies readonly (keyof EngineChannels)[];

/** The engine's image list changed (an image was pulled, built, tagged, untagged or removed). */
export interface EngineImagesChangedEvent {
  type: 'engine-images-changed';
  engineId: string;
  action: string;
}

/** The current engine stopped answering, or answers again. */
export interface EngineStatusEvent {
  type: 'engine-status';
  engineId: string;
  reachable: boolean;
  /** Why it cannot be reached, when it cannot. */
  message: string | null;
}

/** An open's inspect and history, before any layer: the UI shows the image and its steps. */
export interface EngineOpenPreviewEvent {
  type: 'engine-open-preview';
  openId: string;
  preview: OpeningPreview;
}

/** How far an open's export is. */
export interface EngineOpenProgressEvent {
  type: 'engine-open-progress';
  openId: string;
  /** `exporting` while bytes arrive; `loading` once the archive is complete (or came from the cache). */
  phase: 'exporting' | 'loading';
  bytes: number;
  /** The image's size as the engine reports it; the export runs a little over (tar headers). */
  expectedBytes: number;
  layersIndexed: number;
  layerCount: number;
  /** The archive came from the export cache: nothing was exported. */
  cached: boolean;
}

/** One layer of an open's export is indexed (before the export ends). */
export interface EngineLayerIndexedEvent {
  type: 'engine-layer-indexed';
  openId: string;
  layerIndex: number | null;
  diffId: string;
  files: number;
  size: number;
}

export type EngineEvent =
  | EngineImagesChangedEvent
  | EngineStatusEvent
  | EngineOpenPreviewEvent
  | EngineOpenProgressEvent
  | EngineLayerIndexedEvent;
