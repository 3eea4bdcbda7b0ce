// Opens an archive and builds the image model: layer indexes, the merged tree, change sets.
import { availableParallelism } from 'node:os';
import { openArchive } from '../archive/open-archive';
import { StrataError } from '../errors';
import { isVerified } from '../integrity/digests';
import { LIMITS, overLimit } from '../limits';
import { resolveImage, type ImageChoice, type ResolvedImage } from '../archive/resolve-image';
import { detectCompression, readLayer } from '../layer/read-layer';
import type { LayerIndex } from '../layer/layer-index';
import { markDisputed, type LayerIndexCache } from '../layer/index-cache';
import { indexStore, type IndexStore } from '../layer/index-store';
import type { StoredLayer } from '../layer/content';
import { FilePairs, sameContents } from '../layer/same-content';
import { MergedTree, type LayerChangeSet } from '../tree/merged-tree';
import { DiveStack } from '../analysis/dive-efficiency';
import { runInTurns } from '../io/next-turn';
import type { Efficiency } from '../../api/model';

export type ProgressPhase = 'reading' | 'indexing' | 'done';
export type ProgressListener = (phase: ProgressPhase, done: number, total: number | null) => void;

export interface ImageModel {
  path: string;
  resolved: ResolvedImage;
  /** Where each layer's bytes are, base first. */
  layers: StoredLayer[];
  indexes: LayerIndex[];
  /**
   * What each layer changed, base first: every layer's unless the model was loaded with
   * `changes` naming one layer or none (the others are undefined: read them with changesOf).
   */
  changeSets: (LayerChangeSet | undefined)[];
  /** The final merged file system. */
  tree: MergedTree;
  /** dive's figures, counted as the layers were stacked when every layer's changes were recorded. */
  dive?: Efficiency;
  close(): Promise<void>;
}

export interface LoadOptions extends ImageChoice {
  onProgress?: ProgressListener;
  /** Told of the image as its manifest and config give it, before any layer is read. */
  onResolved?: (resolved: ResolvedImage) => void;
  /** Told of each layer once it is read and stacked, base first. */
  onLayer?: (layer: number, index: LayerIndex) => void;
  cache?: LayerIndexCache;
  /** Where layer indexes are kept between runs; the process's (indexStore()) when not given. */
  store?: IndexStore | null;
  /** What the file is, when its times change but its bytes do not (see IndexStore). */
  identity?: string;
  /** What the user calls this image (an upload's name, an engine reference); the path if not given. */
  label?: string;
  /**
   * Indexes made from this very file's layers while it was written (an engine export streamed
   * into the cache), by the name of the member holding the bytes (normalised, links followed);
   * used where the diff ID they were given is the one the config gives the layer.
   */
  ownIndexes?: ReadonlyMap<string, LayerIndex>;
  /**
   * Which layers' changes to record: every layer's (the default: inspect and the app show them
   * all), one layer's (a number, or 'final': `strata ls`), or none (`diff`, `cat` need trees
   * only). A layer not recorded is stacked without change sets or content comparisons. Every
   * layer's (what shows a whole image) also counts dive's figures as each layer is stacked.
   */
  changes?: 'all' | 'none' | 'final' | number;
}

/** Layer `layer`'s change set, which the model must have been loaded to record. */
export function changesOf(model: ImageModel, layer: number): LayerChangeSet {
  const set = model.changeSets[layer];
  if (!set) throw new Error(`${model.path}: layer ${layer}'s changes were not loaded`);
  return set;
}

const recordsEvery = (changes: LoadOptions['changes']): boolean =>
  changes === undefined || changes === 'all';

function recorded(changes: LoadOptions['changes'], layer: number, count: number): boolean {
  if (recordsEvery(changes)) return true;
  if (changes === 'none') return false;
  return layer === (changes === 'final' ? count - 1 : changes);
}

export async function loadImage(path: string, options: LoadOptions = {}): Promise<ImageModel> {
  options.onProgress?.('reading', 0, null);
  const archive = await openArchive(path);
  try {
    const resolved = await resolveImage(archive, options);
    options.onResolved?.(resolved);
    const layers: StoredLayer[] = [];
    let entries = 0;
    const indexes: LayerIndex[] = [];
    const changeSets: (LayerChangeSet | undefined)[] = [];
    const tree = new MergedTree();
    const dive = recordsEvery(options.changes) ? new DiveStack() : null;
    const store = options.store === undefined ? indexStore() : options.store;
    const own = (i: number): LayerIndex | undefined => {
      const layer = resolved.layers[i]!;
      const index = options.ownIndexes?.get(layer.stored);
      return index?.diffId === layer.diffId ? index : undefined;
    };
    // An index held in memory serves a layer once its bytes are proven the same, which may take
    // reading both copies; those proofs and the indexes kept on disk (I/O on libuv's threads) are
    // all asked for at once, so a layer's turn does not wait for them.
    const held = resolved.layers.map((layer, i) =>
      own(i) || !options.cache?.has(layer.diffId)
        ? undefined
        : options.cache.get(layer.diffId, layer.blob, options.identity),
    );
    const fromStore = (i: number) => {
      const layer = resolved.layers[i]!;
      return store?.get(layer.blob, layer.diffId, options.identity);
    };
    const kept = resolved.layers.map((layer, i) =>
      own(i) || options.cache?.has(layer.diffId) ? undefined : fromStore(i),
    );
    for (const pending of [...held, ...kept]) pending?.catch(() => {});
    const compressions = resolved.layers.map((layer) => detectCompression(layer.blob));
    // The compressed bytes of the layers this open may read (those kept on disk counted too: it
    // is not known yet which are), which tells whether workers pay for themselves.
    const openBytes = Promise.all(
      resolved.layers.map(async (layer, i) =>
        held[i] || own(i) || (await compressions[i]) === 'none' ? 0 : layer.blob.length,
      ),
    ).then((lengths) => lengths.reduce((sum, length) => sum + length, 0));
    for (const pending of [...compressions, openBytes]) pending.catch(() => {});
    // Layers are read ahead of their turn (compressed ones on the layer workers, so they use
    // every core) and stacked in order as each one's turn comes.
    const reads = new Map<number, Promise<{ stored: StoredLayer; index: LayerIndex }>>();
    const read = (i: number, onQueued?: () => void) => {
      const layer = resolved.layers[i]!;
      return (async () => {
        const stored = { blob: layer.blob, compression: await compressions[i]! };
        let index = own(i);
        let differs: string | null = null;
        if (!index) {
          const answer = await held[i];
          if (answer && 'index' in answer) index = answer.index;
          else if (answer) differs = answer.differs;
        }
        index ??= await (kept[i] ?? fromStore(i));
        if (!index) {
          index = await readLayer(
            layer.blob,
            layer.diffId,
            `${path}: layer ${i} (${layer.member})`,
            { onQueued, base: i === 0, openBytes: await openBytes },
          );
          if (isVerified(index))
            await store?.put(layer.blob, layer.diffId, index, options.identity).catch(() => {});
        }
        if (differs) markDisputed(index, layer.diffId, differs);
        if (isVerified(index))
          options.cache?.set(index, layer.blob, {
            identity: options.identity,
            label: options.label,
          });
        return { stored, index };
      })();
    };
    const start = (i: number, onQueued?: () => void): Promise<unknown> => {
      const pending = read(i, onQueued);
      // Unawaited reads must not surface as unhandled rejections if an earlier one fails first.
      pending.catch(() => {});
      reads.set(i, pending);
      return pending;
    };
    // A layer whose held index awaits its proof mostly waits for I/O: those all start at once,
    // and take no turn from the few other layers read ahead. Each of those starts the next as it
    // ends, or as soon as it waits in the layer workers' queue: every layer bound for a worker is
    // then queued early, so the pool chooses among them all (the base first, then the most work)
    // and keeps every worker busy, while the layers read on this thread go a few at a time.
    const others = resolved.layers.flatMap((_, i) => (held[i] ? [] : [i]));
    let next = 0;
    const startOther = (): void => {
      if (next >= others.length) return;
      let turnGiven = false;
      const giveTurn = (): void => {
        if (turnGiven) return;
        turnGiven = true;
        startOther();
      };
      start(others[next++]!, giveTurn).then(giveTurn, () => {});
    };
    held.forEach((proof, i) => proof && start(i));
    for (let i = 0; i < Math.max(2, availableParallelism()); i++) startOther();
    for (let i = 0; i < resolved.layers.length; i++) {
      options.onProgress?.('indexing', i, resolved.layers.length);
      const { stored, index } = await reads.get(i)!;
      reads.delete(i);
      layers.push(stored);
      indexes.push(index);
      entries += index.entries.length;
      if (entries > LIMITS.entriesPerImage) {
        throw new StrataError(
          'limit',
          `${path}: ${entries} entries by layer ${i} is ${overLimit('entriesPerImage')}`,
        );
      }
      if (!recorded(options.changes, i, resolved.layers.length)) {
        tree.place(index, i);
        changeSets.push(undefined);
        options.onLayer?.(i, index);
        continue;
      }
      const changes = await runInTurns(tree.applySteps(index, i));
      // dive's figures are counted here, while the next layer may still be on its way.
      if (dive) await runInTurns(dive.addSteps(index));
      const pending = changes.pendingContent;
      const pairs = new FilePairs();
      for (const { before, after } of pending)
        pairs.add(layers[before.layer]!, before.entry, stored, after.entry);
      const same = await sameContents(pairs);
      pending.forEach((item, k) => {
        if (!same[k]) changes.markModified(item);
      });
      changes.pendingContent = [];
      changeSets.push(changes);
      options.onLayer?.(i, index);
    }
    options.onProgress?.('done', resolved.layers.length, resolved.layers.length);
    return {
      path,
      resolved,
      layers,
      indexes,
      changeSets,
      tree,
      dive: dive?.figures(),
      close: () => archive.close(),
    };
  } catch (err) {
    await archive.close();
    throw err;
  }
}
