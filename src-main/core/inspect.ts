// `strata inspect`: the image model summarised as DESIGN.md's JSON contract.
import type { HistoryStep, InspectResult, LayerSummary } from '../api/model';
import type { HistoryEntry } from './archive/image-config';
import { computeEfficiency, treeTotals } from './analysis/efficiency';
import { diveEfficiency } from './analysis/dive-efficiency';
import { changesOf, loadImage, type ImageModel, type LoadOptions } from './image/load-image';

export function summarize(model: ImageModel): InspectResult {
  const { resolved, indexes, tree } = model;
  const changeSets = indexes.map((_, i) => changesOf(model, i));
  const { config } = resolved;

  const { history, layerStep, warnings } = mapHistory(config.history, indexes.length);
  warnings.unshift(...resolved.warnings);
  for (const [i, index] of indexes.entries()) {
    for (const note of [...index.notes, ...changeSets[i]!.notes].slice(0, 20))
      warnings.push(`layer ${i}: ${note}`);
  }

  const layers: LayerSummary[] = indexes.map((index, i) => {
    const counts = changeSets[i]!.counts();
    return {
      index: i,
      diffId: index.diffId,
      size: index.size,
      command: layerStep[i]?.command ?? '',
      created: layerStep[i]?.created ?? null,
      ...counts,
    };
  });

  const { paths: files, visibleBytes } = treeTotals(tree);
  return {
    format: resolved.format,
    image: {
      id: resolved.id,
      tags: resolved.tags,
      os: config.os,
      architecture: config.architecture,
      created: config.created,
      config: config.config,
    },
    layers,
    history,
    totals: { files, size: indexes.reduce((sum, index) => sum + index.size, 0) },
    efficiency: computeEfficiency(indexes, tree, visibleBytes),
    dive: diveFigures(model),
    warnings,
  };
}

/** Each layer's command from the history (cheap: no tree walk, no efficiency figures). */
export function layerCommands(model: ImageModel): string[] {
  const { layerStep } = mapHistory(model.resolved.config.history, model.indexes.length);
  return model.indexes.map((_, i) => layerStep[i]?.command ?? '');
}

/** The n-th history entry that is not an empty layer belongs to layer n (image-spec config.md). */
export function mapHistory(entries: HistoryEntry[], layerCount: number) {
  const warnings: string[] = [];
  const history: HistoryStep[] = [];
  const layerStep: (HistoryStep | undefined)[] = [];
  let next = 0;
  for (const h of entries) {
    const producesLayer = !h.emptyLayer && next < layerCount;
    const step: HistoryStep = {
      command: h.createdBy,
      created: h.created,
      emptyLayer: h.emptyLayer,
      layerIndex: producesLayer ? next : null,
    };
    if (producesLayer) layerStep[next++] = step;
    history.push(step);
  }
  const makers = entries.filter((h) => !h.emptyLayer).length;
  if (entries.length === 0 && layerCount > 0) {
    warnings.push('the image config has no history: layer commands are unknown');
  } else if (makers !== layerCount) {
    warnings.push(
      `the history has ${makers} steps that make a layer but the image has ${layerCount} layers: ` +
        (makers > layerCount
          ? 'the extra steps are shown without a layer'
          : 'the layers past the history have no command'),
    );
  }
  return { history, layerStep, warnings };
}

export async function inspectArchive(
  path: string,
  options: LoadOptions = {},
): Promise<InspectResult> {
  const model = await loadImage(path, options);
  try {
    return summarize(model);
  } finally {
    await model.close();
  }
}

function diveFigures(model: ImageModel): InspectResult['dive'] {
  const { score, wastedBytes, userWastedPercent } = model.dive ?? diveEfficiency(model.indexes);
  return { efficiency: score, wastedBytes, userWastedPercent };
}
