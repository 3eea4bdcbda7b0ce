// An image being opened from an engine, as the opening card shows it, and what each of the
// engine's open events changes in it: for an open Home started, and for a SOURCE given on the
// command line.
import type { StrataEvent } from '../../../src-main/api/contract';
import type { EngineOpenProgressEvent } from '../../../src-main/api/engine';
import type { IndexedLayerInfo, OpeningPreview } from '../../../src-main/api/model';

export interface EngineOpening {
  openId: string;
  ref: string;
  /** The inspect and history, once the engine answered them (before any layer). */
  preview: OpeningPreview | null;
  progress: EngineOpenProgressEvent | null;
  /** Layers indexed so far, by layer index. */
  indexed: Record<number, IndexedLayerInfo>;
  cancelling: boolean;
}

/** Takes what an event of this open tells; other events leave it as it is. */
export function noteEngineOpenEvent(opening: EngineOpening, event: StrataEvent): void {
  if (!('openId' in event) || event.openId !== opening.openId) return;
  if (event.type === 'engine-open-preview') opening.preview = event.preview;
  else if (event.type === 'engine-open-progress') opening.progress = event;
  else if (event.type === 'engine-layer-indexed' && event.layerIndex !== null) {
    opening.indexed[event.layerIndex] = { files: event.files, size: event.size };
  }
}
