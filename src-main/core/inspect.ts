// `strata inspect`: the image model summarised as DESIGN.md's JSON contract.
import type { Efficiency, HistoryStep, InspectResult } from '../api/model';
import type { HistoryEntry } from './archive/image-config';
import type { ResolvedImage } from './archive/resolve-image';
import { efficiencyOf, treeTotals } from './analysis/efficiency';
import type { ChangeCounts } from './tree/merged-tree';
import { diveEfficiency } from './analysis/dive-efficiency';
import { changesOf, loadImage, type ImageModel, type LoadOptions } from './image/load-image';

/** What `inspect` summarises, from either image model. */
export interface SummaryParts {
  resolved: ResolvedImage;
  layers: {
    diffId: string;
    size: number;
    /** The layer index's notes, then those of its stacking. */
    notes: string[];
    counts: ChangeCounts;
  }[];
  /** The final file system's paths and the bytes of its files. */
  totals: { paths: number; visibleBytes: number };
  dive: Efficiency;
}

export function summarize(model: ImageModel): InspectResult {
  const { resolved, indexes, tree } = model;
  const changeSets = indexes.map((_, i) => changesOf(model, i));
  return summaryOf({
    resolved,
    layers: indexes.map((index, i) => ({
      diffId: index.diffId,
      size: index.size,
      notes: [...index.notes, ...changeSets[i]!.notes],
      counts: changeSets[i]!.counts(),
    })),
    totals: treeTotals(tree),
    dive: model.dive ?? diveEfficiency(indexes),
  });
}

export function summaryOf({ resolved, layers, totals, dive }: SummaryParts): InspectResult {
  const { config } = resolved;
  const { history, layerStep, warnings } = mapHistory(config.history, layers.length);
  warnings.unshift(...resolved.warnings);
  for (const [i, layer] of layers.entries()) {
    for (const note of layer.notes.slice(0, 20)) warnings.push(`layer ${i}: ${note}`);
  }
  const sizes = layers.map((layer) => layer.size);
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
    layers: layers.map((layer, i) => ({
      index: i,
      diffId: layer.diffId,
      size: layer.size,
      command: layerStep[i]?.command ?? '',
      created: layerStep[i]?.created ?? null,
      ...layer.counts,
    })),
    history,
    totals: { files: totals.paths, size: sizes.reduce((sum, size) => sum + size, 0) },
    efficiency: efficiencyOf(sizes, totals.visibleBytes),
    dive: {
      efficiency: dive.score,
      wastedBytes: dive.wastedBytes,
      userWastedPercent: dive.userWastedPercent,
    },
    warnings,
  };
}

/** Each layer's command from the history (cheap: no tree walk, no efficiency figures). */
export function layerCommands(model: ImageModel): string[] {
  return commandsOf(model.resolved, model.indexes.length);
}

/** The command of each of an image's `count` layers. */
export function commandsOf(resolved: ResolvedImage, count: number): string[] {
  const { layerStep } = mapHistory(resolved.config.history, count);
  return Array.from({ length: count }, (_, i) => layerStep[i]?.command ?? '');
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
