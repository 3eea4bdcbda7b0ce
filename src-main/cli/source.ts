// Every command opens its SOURCE here, through the core's one resolver (core/source/open-source):
// an archive path, docker://REF or podman://REF. An engine export shows its progress on stderr
// when stderr is a terminal, and Ctrl+C during it cancels cleanly (no partial cache file left).
import type { ImageModel, LoadOptions } from '../core/image/load-image';
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
