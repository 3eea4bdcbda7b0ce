// The build history as the layer list shows it: one entry per history step, oldest first,
// each joined to the layer it produced (if any).
import type { HistoryStep, InspectResult, LayerSummary } from '../../../src-main/api/model';

export type BuildStep =
  | { kind: 'layer'; key: string; step: HistoryStep; layer: LayerSummary }
  | { kind: 'meta'; key: string; step: HistoryStep };

export function buildSteps({
  history,
  layers,
}: Pick<InspectResult, 'history' | 'layers'>): BuildStep[] {
  const steps: BuildStep[] = [];
  const shown = new Set<number>();
  history.forEach((step, position) => {
    const layer = step.layerIndex === null ? undefined : layers[step.layerIndex];
    if (layer && !shown.has(layer.index)) {
      shown.add(layer.index);
      steps.push({ kind: 'layer', key: `layer-${layer.index}`, step, layer });
    } else {
      steps.push({ kind: 'meta', key: `step-${position}`, step });
    }
  });
  // Images without history (or with history that misses layers) still list every layer.
  for (const layer of layers) {
    if (shown.has(layer.index)) continue;
    const step: HistoryStep = {
      command: layer.command,
      created: layer.created,
      emptyLayer: false,
      layerIndex: layer.index,
    };
    steps.push({ kind: 'layer', key: `layer-${layer.index}`, step, layer });
  }
  return steps;
}

/** What the history tells about the base image the build started FROM. */
export interface BaseImage {
  /** Layers 0..layers-1 come from the base image. */
  layers: number;
  /** The base image's name, when the image's labels record it (OCI `base.name`). */
  name: string | null;
}

const BASE_NAME_LABEL = 'org.opencontainers.image.base.name';
/** A base image ends with the command its users start from: CMD or ENTRYPOINT. */
const CLOSING_STEP = /^(?:\/bin\/sh -c #\(nop\)\s*)?(?:CMD|ENTRYPOINT)\b/;

/**
 * The layers that came from the base image, as far as history tells: base images end with a
 * CMD or ENTRYPOINT step, so the last such metadata step that is followed by a step producing
 * a layer marks where the base ends. Null when nothing in history says so.
 */
export function baseImage({
  history,
  image,
}: {
  history: HistoryStep[];
  image: { config: { labels: Record<string, string> } };
}): BaseImage | null {
  const lastLayerStep = history.findLastIndex((step) => step.layerIndex !== null);
  const closing = history.findLastIndex(
    (step, i) =>
      i < lastLayerStep && step.layerIndex === null && CLOSING_STEP.test(step.command.trim()),
  );
  if (closing < 0) return null;
  const before = history.slice(0, closing).filter((step) => step.layerIndex !== null);
  const after = history.slice(closing + 1).filter((step) => step.layerIndex !== null);
  if (before.length === 0 || after.length === 0) return null;
  const layers = Math.max(...before.map((step) => step.layerIndex!)) + 1;
  return { layers, name: image.config.labels[BASE_NAME_LABEL] ?? null };
}
