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
