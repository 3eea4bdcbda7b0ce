// Every command opens its SOURCE here, through the core's one resolver (core/source/open-source):
// an archive path, docker://REF or podman://REF. An engine export shows its progress on stderr
// when stderr is a terminal, and Ctrl+C during it cancels cleanly (no partial cache file left).
import type { Finding } from '../api/findings';
import type { InspectResult } from '../api/model';
import { findFindings } from '../core/analysis/findings';
import { findingsOfColumns, summarizeColumns } from '../core/columns/inspect-columns';
import { loadColumns } from '../core/columns/load-columns';
import type { ImageModel, LoadOptions } from '../core/image/load-image';
import { summarize } from '../core/inspect';
import { checkLayer, listLayer, type ListedEntry } from '../core/image/layer-view';
import { listColumns } from '../core/columns/list-columns';
import type { LayerIndexCache } from '../core/layer/index-cache';
import { openSource } from '../core/source/open-source';
import { parseSource } from '../core/source/source-spec';
import { formatBytes } from './format';

export interface SourceChoice {
  image?: string;
  platform?: string;
  /** Shared by the sources of one command (diff), so common layers are read once. */
  layerCache?: LayerIndexCache;
  /** Which layers' changes the command needs (LoadOptions.changes); all by default. */
  changes?: LoadOptions['changes'];
}

export async function openCliSource(text: string, choice: SourceChoice): Promise<ImageModel> {
  const fromEngine = parseSource(text).kind === 'engine';
  const tty = process.stderr.isTTY === true;
  const controller = new AbortController();
  const interrupt = (): void => controller.abort();
  // Only an export can be cancelled; an archive read stops with the default Ctrl+C.
  if (fromEngine) process.once('SIGINT', interrupt);
  let shown = false;
  try {
    const { model } = await openSource(text, {
      image: choice.image,
      platform: choice.platform,
      ...(choice.layerCache ? { layerCache: choice.layerCache } : {}),
      changes: choice.changes,
      signal: controller.signal,
      engine:
        tty && fromEngine
          ? {
              onProgress: (p) => {
                shown = true;
                const what = p.cached
                  ? 'from the export cache'
                  : `${formatBytes(p.bytes)} of ~${formatBytes(p.expectedBytes)}, ${p.layersIndexed}/${p.layerCount} layers indexed`;
                process.stderr.write(`\r\x1b[2KExporting ${text}: ${what}`);
              },
            }
          : undefined,
    });
    return model;
  } finally {
    process.off('SIGINT', interrupt);
    if (shown) process.stderr.write('\r\x1b[2K');
  }
}

/**
 * The inspect summary of SOURCE, and its findings when asked for: an archive is read into the
 * model on interned paths, which holds no path as a string (docs/interned-paths.md); an engine's
 * image through the image model its export is indexed into.
 */
export async function inspectCliSource(
  text: string,
  choice: SourceChoice,
  { findings }: { findings: boolean },
): Promise<{ summary: InspectResult; findings: Finding[] }> {
  const spec = parseSource(text);
  if (spec.kind === 'path') {
    const image = await loadColumns(spec.path, { image: choice.image, platform: choice.platform });
    try {
      return {
        summary: summarizeColumns(image),
        findings: findings ? await findingsOfColumns(image) : [],
      };
    } finally {
      await image.close();
    }
  }
  const model = await openCliSource(text, choice);
  try {
    return { summary: summarize(model), findings: findings ? await findFindings(model) : [] };
  } finally {
    await model.close();
  }
}

/**
 * `strata ls`: SOURCE's file system as of `layer` (the last when not given), or only what that
 * layer changed. An archive is read into the model on interned paths, up to that layer.
 */
export async function listCliSource(
  text: string,
  choice: SourceChoice & { layer: number | undefined; onlyChanges: boolean },
): Promise<ListedEntry[]> {
  const spec = parseSource(text);
  if (spec.kind === 'path') {
    const image = await loadColumns(spec.path, {
      image: choice.image,
      platform: choice.platform,
      listing: choice.layer ?? 'final',
    });
    try {
      return listColumns(image, choice.onlyChanges);
    } finally {
      await image.close();
    }
  }
  const model = await openCliSource(text, {
    ...choice,
    changes: choice.layer ?? 'final', // the listed layer's changes only
  });
  try {
    return listLayer(model, checkLayer(model, choice.layer), choice.onlyChanges);
  } finally {
    await model.close();
  }
}
