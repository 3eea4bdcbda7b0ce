// The one resolver of SOURCE text, used by every command (inspect, ls, cat, and web through the
// service): a path opens as an archive; docker://REF and podman://REF open the image from the
// engine, through the export cache. The engine code loads only when an engine source is given.
import { StrataError } from '../errors';
import {
  loadImage,
  type ImageModel,
  type LoadOptions,
  type ProgressListener,
} from '../image/load-image';
import { openArchive, readInPlace } from '../archive/open-archive';
import { resolveImage, type ImageChoice } from '../archive/resolve-image';
import { LayerIndexCache, type LayerCache } from '../layer/index-cache';
import type { EngineClient } from './engine-client';
import type { EngineKind } from './engine-endpoint';
import type { EngineOpenOptions } from './engine-open';
import type { ExportCache } from './export-cache';
import { engineSourceLabel, parseSource, type SourceSpec } from './source-spec';

export interface OpenSourceOptions extends ImageChoice {
  layerCache?: LayerIndexCache;
  /** Default: the cache in the OS cache dir (ExportCache.fromEnvironment). */
  exportCache?: ExportCache;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  /** Reading the archive into the model (also after an engine export). */
  onProgress?: ProgressListener;
  /** Which layers' changes the model records (LoadOptions.changes); all by default. */
  changes?: LoadOptions['changes'];
  /** Preview, export progress and indexed layers of an engine source. */
  engine?: Pick<EngineOpenOptions, 'onPreview' | 'onProgress' | 'onLayer'>;
  /** The client for an engine source; default: the engine the docker or podman CLI would use. */
  clientFor?: (kind: EngineKind) => EngineClient | Promise<EngineClient>;
}

export interface OpenedSource {
  model: ImageModel;
  /** `docker://alpine:3`, or the path as given. */
  label: string;
  spec: SourceSpec;
}

export async function openSource(
  text: string,
  options: OpenSourceOptions = {},
): Promise<OpenedSource> {
  const spec = parseSource(text);
  const layerCache = options.layerCache ?? new LayerIndexCache();
  if (spec.kind === 'path') {
    const model = await loadImage(spec.path, {
      image: options.image,
      platform: options.platform,
      cache: layerCache,
      onProgress: options.onProgress,
      changes: options.changes,
    });
    return { model, label: text, spec };
  }
  if (options.image) {
    throw new StrataError(
      'bad-request',
      `--image picks one image of a multi-image archive; ${text} names one image already`,
    );
  }
  const label = engineSourceLabel(spec.engine, spec.ref);
  const [{ openEngineImage }, { ExportCache }] = await Promise.all([
    import('./engine-open'),
    import('./export-cache'),
  ]);
  const client = options.clientFor
    ? await options.clientFor(spec.engine)
    : await defaultClient(spec.engine, options.env);
  const opened = await openEngineImage(client, spec.ref, {
    ...options.engine,
    layerCache,
    exportCache: options.exportCache ?? ExportCache.fromEnvironment(options.env),
    signal: options.signal,
    platform: options.platform,
    label,
    onLoad: options.onProgress,
    changes: options.changes,
  });
  return { model: opened.model, label, spec };
}

/**
 * Tells `cache` which layers the archive SOURCE holds, so that copies of them another image's
 * read holds can be proven the same while that image is read. Not for an engine source or a
 * compressed archive (its layers lie in a spool file each open makes anew). A source that does
 * not open is left for its own open to report.
 */
export async function expectLayersOf<T extends { readonly diffId: string }>(
  text: string,
  choice: ImageChoice,
  cache: LayerCache<T>,
): Promise<void> {
  const spec = parseSource(text);
  if (spec.kind !== 'path' || !(await readInPlace(spec.path).catch(() => false))) return;
  const archive = await openArchive(spec.path).catch(() => null);
  if (!archive) return;
  try {
    const resolved = await resolveImage(archive, choice);
    for (const layer of resolved.layers) cache.expect(layer.diffId, layer.blob);
  } catch {
    // reported by the open
  } finally {
    await archive.close();
  }
}

/** The engine the docker (or podman) CLI would talk to, from the environment. */
export async function defaultClient(
  kind: EngineKind,
  env: NodeJS.ProcessEnv = process.env,
): Promise<EngineClient> {
  const [{ EngineClient }, discovery] = await Promise.all([
    import('./engine-client'),
    import('./engine-discovery'),
  ]);
  const e = discovery.systemEnvironment(env);
  const endpoint =
    kind === 'podman' ? discovery.defaultPodmanEngine(e) : discovery.defaultDockerEngine(e);
  return new EngineClient(endpoint, { env });
}
