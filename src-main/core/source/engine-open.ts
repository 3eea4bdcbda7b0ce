// Opening an image that lives in an engine: inspect and history first (so a UI can show the image
// and its steps at once), then the export streamed into the export cache while its layers are
// indexed, then the image model read from the cached archive, whose layers are all in the index
// cache by then. A second open of the same image ID reads the cached archive without exporting.
import type { Readable } from 'node:stream';
import type { OpeningPreview } from '../../api/model';
import { StrataError } from '../errors';
import { openArchive } from '../archive/open-archive';
import { chunksOf } from '../io/stream-chunks';
import { resolveImage } from '../archive/resolve-image';
import {
  loadImage,
  type ImageModel,
  type LoadOptions,
  type ProgressListener,
} from '../image/load-image';
import { normalizeMemberName } from '../archive/archive';
import type { LayerIndexCache } from '../layer/index-cache';
import type { LayerIndex } from '../layer/layer-index';
import { keepIndexes } from '../layer/index-store';
import { describeEndpoint } from './engine-endpoint';
import {
  cancelled,
  type EngineClient,
  type EngineHistoryItem,
  type EngineImageDetails,
} from './engine-client';
import type { CacheLease, ExportCache } from './export-cache';
import { ExportIndexer, type IndexedLayer } from './export-indexer';
import { idHex, parseImageRef } from './image-ref';
import { recycle } from './socket-export';

export interface ExportProgress {
  /** Bytes exported so far (all of them when the archive came from the cache). */
  bytes: number;
  /** The image's size as the engine reports it; the export is a little larger (tar headers). */
  expectedBytes: number;
  layersIndexed: number;
  layerCount: number;
  /** True when the archive came from the export cache: nothing was exported. */
  cached: boolean;
  /** True once the archive is whole (exported and verified, or cached): the model is read next. */
  complete: boolean;
}

export interface LayerIndexed {
  /** Position in the image (base 0), or null for a blob the image does not list. */
  layerIndex: number | null;
  diffId: string;
  files: number;
  size: number;
}

export interface EngineOpenOptions {
  layerCache: LayerIndexCache;
  exportCache: ExportCache;
  signal?: AbortSignal;
  /** `os/arch[/variant]` for a multi-platform image (engines with API 1.48+). */
  platform?: string;
  /** How the image is named in messages: `docker://alpine:3`. Default: the ref. */
  label?: string;
  onPreview?: (preview: OpeningPreview) => void;
  onProgress?: (progress: ExportProgress) => void;
  onLayer?: (layer: LayerIndexed) => void;
  /** Progress of reading the archive into the image model, after the export. */
  onLoad?: ProgressListener;
  /** Which layers' changes the model records (LoadOptions.changes); all by default. */
  changes?: LoadOptions['changes'];
}

export interface OpenedEngineImage {
  /** Its tags are the engine's (an export by ID carries none); close() releases the cache entry. */
  model: ImageModel;
  preview: OpeningPreview;
  cached: boolean;
}

const PROGRESS_INTERVAL_MS = 100;

export async function openEngineImage(
  client: EngineClient,
  ref: string,
  options: EngineOpenOptions,
): Promise<OpenedEngineImage> {
  parseImageRef(ref);
  const label = options.label ?? ref;
  const { signal } = options;
  const [details, history] = await Promise.all([
    client.inspectImage(ref, signal),
    client.imageHistory(ref, signal),
  ]);
  const preview = previewOf(ref, details, history);
  options.onPreview?.(preview);

  const loadOptions = {
    cache: options.layerCache,
    platform: options.platform,
    onProgress: options.onLoad,
    changes: options.changes,
    // An export is named by its image ID and never rewritten; the cache sets its times on use.
    identity: `engine export of ${details.id}`,
    label,
  };
  let lease = await options.exportCache.lookup(details.id);
  let cached = lease !== null;
  let model: ImageModel | null = null;
  let keeping: Promise<void> = Promise.resolve();
  if (lease) {
    options.onProgress?.({
      bytes: details.size,
      expectedBytes: details.size,
      layersIndexed: 0,
      layerCount: details.diffIds.length,
      cached: true,
      complete: true,
    });
    try {
      model = await loadImage(lease.path, loadOptions);
    } catch (err) {
      // A cached archive that no longer reads (changed on disk?) is dropped and exported again.
      lease.release();
      if (!(err instanceof StrataError && err.code === 'bad-archive')) throw err;
      await options.exportCache.remove(details.id);
      lease = null;
      cached = false;
    }
  }
  let ownIndexes: Map<string, LayerIndex> | undefined;
  if (!lease) ({ lease, ownIndexes } = await exportToCache(client, ref, details, label, options));
  if (signal?.aborted) {
    await model?.close();
    lease.release();
    throw cancelled(`opening ${label}`);
  }
  if (!model) {
    try {
      model = await loadImage(lease.path, { ...loadOptions, ownIndexes });
    } catch (err) {
      lease.release();
      throw err;
    }
    // Stored for the next process while this one shows the image; close() waits for it.
    if (model.resolved.id === details.id) keeping = keepIndexes(model, loadOptions.identity);
  }
  if (model.resolved.id !== details.id) {
    await model.close();
    lease.release();
    throw new StrataError(
      'engine-failed',
      `${label}: the exported archive holds the image ${model.resolved.id}, not ${details.id}; open it again`,
    );
  }
  // An export carries only the names it was asked for; the engine knows all of the image's tags.
  model.resolved.tags = details.tags;
  const held = lease;
  const close = model.close;
  model.close = async () => {
    try {
      await keeping;
      await close();
    } finally {
      held.release();
    }
  };
  return { model, preview, cached };
}

/** Streams the export into a new cache entry while indexing its layers; verified before commit. */
async function exportToCache(
  client: EngineClient,
  ref: string,
  details: EngineImageDetails,
  label: string,
  options: EngineOpenOptions,
): Promise<{ lease: CacheLease; ownIndexes: Map<string, LayerIndex> }> {
  const { signal } = options;
  // The indexer keeps no chunk past its push: once written, a chunk's memory is read into again.
  const writer = await options.exportCache.begin(details.id, recycle);
  const indexes = new Map<string, LayerIndex>();
  const layerCount = details.diffIds.length;
  let bytes = 0;
  let lastReport = 0;
  /** `at`: the layer's place in the image, when the export placed it (else found by diff ID). */
  const indexed = (
    { member, index }: IndexedLayer,
    at = details.diffIds.indexOf(index.diffId),
  ): void => {
    indexes.set(normalizeMemberName(member) ?? member, index);
    options.onLayer?.({
      layerIndex: at < 0 ? null : at,
      diffId: index.diffId,
      files: index.entries.length,
      size: index.size,
    });
    report(true);
  };
  const indexer = new ExportIndexer(
    label,
    (layer) => {
      if (layer.diffId !== null) indexed(layer);
    },
    // A layer whose name does not say its diff ID, once placed. The export holds the inspected
    // image only (verified before commit, and loadImage takes an index only where the archive's
    // own manifest and config give it the same diff ID).
    (layer, position) => {
      const diffId = details.diffIds[position];
      if (!diffId) return;
      layer.index.diffId = diffId;
      indexed(layer, position);
    },
  );
  function report(force: boolean, complete = false): void {
    const now = Date.now();
    if (!force && now - lastReport < PROGRESS_INTERVAL_MS) return;
    lastReport = now;
    options.onProgress?.({
      bytes,
      expectedBytes: details.size,
      layersIndexed: indexer.layersIndexed,
      layerCount,
      cached: false,
      complete,
    });
  }

  let stream: Readable | null = null;
  try {
    report(true);
    // By ID: the image inspected is the image exported, even if a tag moves meanwhile.
    stream = await client.exportImage(idHex(details.id), {
      signal,
      platform: options.platform,
      name: ref,
    });
    for await (const chunk of chunksOf(stream)) {
      await writer.write(chunk);
      bytes += chunk.length;
      await indexer.push(chunk);
      report(false);
      // The engine ends its answer only once it has cleaned up after the export (0.1-0.2 s for
      // 1 GB); the archive is whole at the tar's end marker, and what follows it is ignored.
      if (indexer.complete) break;
    }
    await indexer.end();
    if (signal?.aborted) throw cancelled(`opening ${label}`);
    await writer.written();
    await verifyExport(writer.partialPath, details, label);
    const lease = await writer.commit();
    report(true, true);
    return { lease, ownIndexes: indexes };
  } catch (err) {
    stream?.destroy();
    await writer.discard();
    throw await diagnose(err, client, ref, details, label, bytes, signal);
  }
}

/** The finished archive is a complete image archive of the image that was inspected. */
async function verifyExport(
  path: string,
  details: EngineImageDetails,
  label: string,
): Promise<void> {
  const archive = await openArchive(path);
  try {
    const resolved = await resolveImage(archive);
    if (resolved.id !== details.id) {
      throw new StrataError(
        'engine-failed',
        `${label}: the engine exported the image ${resolved.id}, not ${details.id}; open it again`,
      );
    }
  } finally {
    await archive.close();
  }
}

/** Why an export failed, said plainly: cancelled, engine gone, image gone, or the engine's error. */
async function diagnose(
  err: unknown,
  client: EngineClient,
  ref: string,
  details: EngineImageDetails,
  label: string,
  bytes: number,
  signal: AbortSignal | undefined,
): Promise<unknown> {
  if (signal?.aborted) return cancelled(`opening ${label}`);
  const where = describeEndpoint(client.endpoint);
  const removedBeforeExport = new StrataError(
    'not-found',
    `${ref} is no longer in ${where}: it was removed after it was inspected; refresh the image list`,
  );
  if (err instanceof StrataError && err.code === 'not-found') return removedBeforeExport;
  if (err instanceof StrataError && err.code !== 'bad-archive' && err.code !== 'engine-failed') {
    return err;
  }
  const progress = `after ${formatMb(bytes)} of about ${formatMb(details.size)}`;
  if (!(await client.ping())) {
    return new StrataError(
      'engine-unavailable',
      `${where.charAt(0).toUpperCase()}${where.slice(1)} stopped while exporting ${ref} (${progress}): start the engine again, then open the image again`,
    );
  }
  const stillThere = await client.inspectImage(idHex(details.id)).then(
    () => true,
    (e: unknown) => !(e instanceof StrataError && e.code === 'not-found'),
  );
  if (!stillThere) {
    // Docker 20.10 answers an export of an ID it no longer has with a 500, not a 404.
    if (bytes === 0) return removedBeforeExport;
    return new StrataError(
      'not-found',
      `${ref} was removed from ${where} while it was being exported (${progress}); refresh the image list`,
    );
  }
  const cause = err instanceof Error ? err.message : String(err);
  return new StrataError(
    'engine-failed',
    `The export of ${ref} from ${where} was truncated ${progress} (${cause}); try again`,
  );
}

function formatMb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

/** Legacy-builder metadata steps (`#(nop) ENV …`) and BuildKit's (`ENV …`) make no layer. */
const METADATA_STEP =
  /^(?:\/bin\/sh -c #\(nop\)\s*)?(?:ENV|LABEL|CMD|ENTRYPOINT|EXPOSE|USER|VOLUME|ARG|MAINTAINER|ONBUILD|STOPSIGNAL|HEALTHCHECK|SHELL)\b/;
/** WORKDIR makes an empty layer with the legacy builder when the folder is new, none otherwise. */
const MAYBE_STEP = /^(?:\/bin\/sh -c #\(nop\)\s*)?WORKDIR\b/;

/**
 * The engine's history says each step's size but not whether it made a layer: a step with a
 * size did; one without did unless it is a metadata instruction; a WORKDIR without one may have.
 * The maybes are settled by the layer count; when nothing fits, the steps are shown without
 * layers rather than guessed wrong.
 */
export function previewOf(
  ref: string,
  details: EngineImageDetails,
  history: EngineHistoryItem[],
): OpeningPreview {
  const layerCount = details.diffIds.length;
  const kinds = history.map((step): 'layer' | 'maybe' | 'none' => {
    const command = step.createdBy.trim();
    if (step.size > 0) return 'layer';
    if (MAYBE_STEP.test(command)) return 'maybe';
    return METADATA_STEP.test(command) ? 'none' : 'layer';
  });
  const sure = kinds.filter((k) => k === 'layer').length;
  const maybe = kinds.filter((k) => k === 'maybe').length;
  const maybeIsLayer = sure + maybe === layerCount;
  const matches = sure === layerCount || maybeIsLayer;
  let next = 0;
  const steps = history.map((step, i) => {
    const makes = kinds[i] === 'layer' || (kinds[i] === 'maybe' && maybeIsLayer);
    return {
      command: step.createdBy,
      created: step.created,
      size: step.size,
      layerIndex: matches && makes ? next++ : null,
    };
  });
  return {
    ref,
    id: details.id,
    tags: details.tags,
    os: details.os,
    architecture: details.architecture,
    created: details.created,
    size: details.size,
    diffIds: details.diffIds,
    steps,
  };
}
