// `strata inspect`: the image model summarised as DESIGN.md's JSON contract.
import type { HistoryStep, InspectResult, LayerSummary } from '../api/model';
import { computeEfficiency } from './analysis/efficiency';
import { loadImage, type ImageModel, type LoadOptions } from './image/load-image';

export function summarize(model: ImageModel): InspectResult {
  const { resolved, indexes, changeSets, tree } = model;
  const { config } = resolved;

  // The n-th history entry that is not an empty layer belongs to layer n.
  const history: HistoryStep[] = [];
  const layerStep: (HistoryStep | undefined)[] = [];
  let next = 0;
  for (const h of config.history) {
    const producesLayer = !h.emptyLayer && next < indexes.length;
    const step: HistoryStep = {
      command: h.createdBy,
      created: h.created,
      emptyLayer: !producesLayer,
      layerIndex: producesLayer ? next : null,
    };
    if (producesLayer) layerStep[next++] = step;
    history.push(step);
  }

  const layers: LayerSummary[] = indexes.map((index, i) => {
    const counts = { added: 0, modified: 0, removed: 0 };
    for (const change of changeSets[i]!.changes.values())
      if (change !== 'unchanged') counts[change]++;
    return {
      index: i,
      diffId: index.diffId,
      size: index.size,
      command: layerStep[i]?.command ?? '',
      created: layerStep[i]?.created ?? null,
      ...counts,
    };
  });

  let files = 0;
  for (const _ of tree.walk()) files++;
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
    efficiency: computeEfficiency(indexes, tree),
  };
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
