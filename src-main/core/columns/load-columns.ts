// Opens an archive into the image model on interned paths (docs/interned-paths.md): each layer's
// entries as columns of one path tree, stacked as they come, with dive's figures counted on the
// way. A layer's index kept in the index store is read in its packed form; otherwise a plain
// layer is written as columns straight from its headers (no entry object, no path kept as a
// string) and a compressed one read as loadImage reads it (on the layer workers), and the packed
// indexes these give are made columns.
import { openArchive } from '../archive/open-archive';
import { resolveImage, type ImageChoice, type ResolvedImage } from '../archive/resolve-image';
import { StrataError } from '../errors';
import { checkLayerOf } from '../image/layer-view';
import { LIMITS, overLimit } from '../limits';
import type { Efficiency } from '../../api/model';
import { DiveStack } from '../analysis/dive-efficiency';
import { isVerified, markUnverified } from '../integrity/digests';
import type { StoredLayer } from '../layer/content';
import { LayerIndexBuilder, type FileBodies } from '../layer/index-builder';
import type { LayerIndex, LayerMeta } from '../layer/layer-index';
import { indexStore, type IndexStore } from '../layer/index-store';
import { LayerCache, markDisputed } from '../layer/index-cache';
import { detectCompression, indexLayer, readLayerInto } from '../layer/read-layer';
import { readPackedOnWorker } from '../layer/layer-workers';
import type { PackedIndex } from '../layer/packed-index';
import { FilePairs, sameContents } from '../layer/same-content';
import { runAtOnce } from '../io/next-turn';
import { PathTree } from '../tree/path-tree';
import { BLOCK } from '../tar/header';
import { ColumnStack, layerOf, positionOf, type ColumnChanges } from './column-stack';
import {
  columnsOf,
  columnsOfPacked,
  LayerColumnsWriter,
  packColumns,
  WrittenNodes,
  type LayerColumns,
} from './layer-columns';

/** A layer as read ahead: packed (the store's, a worker's), an index (read here) or held. */
type Read = { packed: PackedIndex } | { index: LayerIndex } | { held: HeldColumns };

/** A layer's columns and the rest of its index, as a ColumnsCache holds them. */
export interface HeldColumns {
  readonly diffId: string;
  meta: LayerMeta;
  columns: LayerColumns;
}

/**
 * The layers' columns images opened together share (`strata diff`): held by diff ID and served
 * to another copy only once its bytes are proven the same, as LayerIndexCache does with indexes,
 * and all over one path tree, whose nodes they name.
 */
export class ColumnsCache extends LayerCache<HeldColumns> {
  readonly tree = new PathTree();

  constructor() {
    super((held) => held.columns.count);
  }
}

export interface ImageColumns {
  path: string;
  resolved: ResolvedImage;
  /** Where each layer's bytes are, base first. */
  layers: StoredLayer[];
  metas: LayerMeta[];
  columns: LayerColumns[];
  /** The final merged file system. */
  stack: ColumnStack;
  /** What each layer changed, base first. */
  changes: ColumnChanges[];
  /** dive's figures; null for a load that lists one layer. */
  dive: Efficiency | null;
  close(): Promise<void>;
}

export interface ColumnLoadOptions extends ImageChoice {
  /** Where layers' indexes are kept between runs; the process's when not given. */
  store?: IndexStore | null;
  /**
   * The layer to list (`strata ls`): only layers up to it are read and stacked, only its rewrites
   * have their contents compared, and dive's figures are not counted. Every layer when not given.
   */
  listing?: number | 'final';
  /** Only the final tree is wanted (`strata diff`): no contents compared, no dive figures. */
  treeOnly?: boolean;
  /** Where the layers of the images opened with this one are held, and the tree they share. */
  shared?: ColumnsCache;
  /** Told of the files of layer `i` read from its headers whose bytes the read has at hand. */
  bodies?: (i: number) => FileBodies | null;
}

export async function loadColumns(
  path: string,
  options: ColumnLoadOptions = {},
): Promise<ImageColumns> {
  const archive = await openArchive(path);
  try {
    const resolved = await resolveImage(archive, options);
    const { listing, shared } = options;
    const last = checkLayerOf(
      path,
      resolved.layers.length,
      listing === 'final' ? undefined : listing,
    );
    const wanted = resolved.layers.slice(0, last + 1);
    const store = options.store === undefined ? indexStore() : options.store;
    const label = (i: number) => `${path}: layer ${i} (${resolved.layers[i]!.member})`;
    const compressions = wanted.map((layer) => detectCompression(layer.blob));
    // Every layer's stored index, and each compressed layer not stored, is asked for at once (the
    // layer workers choose among them); plain ones not stored are read here in their turn.
    const openBytes = Promise.all(
      wanted.map(async (layer, i) => ((await compressions[i]) === 'none' ? 0 : layer.blob.length)),
    ).then((lengths) => lengths.reduce((sum, length) => sum + length, 0));
    const held = wanted.map((layer) =>
      shared?.has(layer.diffId) ? shared.get(layer.diffId, layer.blob) : undefined,
    );
    const ahead = wanted.map(async (layer, i): Promise<Read | null> => {
      const answer = await held[i];
      if (answer && 'index' in answer) return { held: answer.index };
      const compression = await compressions[i]!;
      const kept = await store?.getPacked(layer.blob, layer.diffId);
      if (kept) return { packed: kept };
      if (compression === 'none') return null;
      const read = await readPackedOnWorker(layer.blob, compression, layer.diffId, label(i), {
        base: i === 0,
        openBytes: await openBytes,
      });
      if (read) {
        // A layer whose digests did not match is neither kept nor trusted as another's copy.
        if (!read.verified) markUnverified(read.packed.meta);
        else await store?.putPacked(layer.blob, layer.diffId, read.packed).catch(() => {});
        return { packed: read.packed };
      }
      const index = await indexLayer(layer.blob, compression, layer.diffId, label(i));
      if (isVerified(index)) await store?.put(layer.blob, layer.diffId, index).catch(() => {});
      return { index };
    });
    for (const pending of [...compressions, openBytes, ...ahead, ...held]) pending?.catch(() => {});

    const tree = shared?.tree ?? new PathTree();
    const stack = new ColumnStack(tree);
    const dive = listing === undefined && !options.treeOnly ? new DiveStack(undefined, tree) : null;
    const written = new WrittenNodes();
    const layers: StoredLayer[] = [];
    const metas: LayerMeta[] = [];
    const columns: LayerColumns[] = [];
    const changes: ColumnChanges[] = [];
    let entries = 0;
    for (const [i, layer] of wanted.entries()) {
      const stored = { blob: layer.blob, compression: await compressions[i]! };
      let meta: LayerMeta;
      let layerColumns: LayerColumns;
      const read = await ahead[i]!;
      if (read && 'held' in read) {
        ({ meta, columns: layerColumns } = read.held);
      } else if (read && 'packed' in read) {
        meta = read.packed.meta;
        layerColumns = columnsOfPacked(read.packed, tree);
      } else if (read) {
        meta = read.index;
        layerColumns = columnsOf(read.index, tree);
      } else {
        const writer = new LayerColumnsWriter(tree, written, layer.blob.length / BLOCK);
        const builder = new LayerIndexBuilder(layer.diffId, 'none', label(i), false, writer);
        builder.bodies = options.bodies?.(i) ?? null;
        const intact = await readLayerInto(builder, layer.blob, 'none', label(i));
        ({ meta, columns: layerColumns } = builder.finishColumns());
        if (!intact) markUnverified(meta);
        // Kept for the next open: a stored index reads faster than the layer's headers.
        else if (store && layerColumns.count >= store.minEntries) {
          const packed = packColumns(layerColumns, meta, tree);
          await store.putPacked(layer.blob, layer.diffId, packed).catch(() => {});
        }
      }
      if (!(read && 'held' in read)) {
        const answer = await held[i];
        if (answer && 'differs' in answer) markDisputed(meta, layer.diffId, answer.differs);
        if (isVerified(meta))
          shared?.set({ diffId: layer.diffId, meta, columns: layerColumns }, layer.blob, {
            label: path,
          });
      }
      entries += layerColumns.count;
      if (entries > LIMITS.entriesPerImage) {
        throw new StrataError(
          'limit',
          `${path}: ${entries} entries by layer ${i} is ${overLimit('entriesPerImage')}`,
        );
      }
      layers.push(stored);
      metas.push(meta);
      columns.push(layerColumns);
      const layerChanges = stack.apply(layerColumns, i);
      if (dive) runAtOnce(dive.addColumnsSteps(layerColumns, meta.size));
      if (!options.treeOnly && (listing === undefined || i === last))
        await compareContents(stack, layers, layerChanges);
      changes.push(layerChanges);
    }
    return {
      path,
      resolved,
      layers,
      metas,
      columns,
      stack,
      changes,
      dive: dive?.figures() ?? null,
      close: () => archive.close(),
    };
  } catch (err) {
    await archive.close();
    throw err;
  }
}

/** Settles the layer's rewrites whose attributes match: modified where their contents differ. */
async function compareContents(
  stack: ColumnStack,
  layers: StoredLayer[],
  changes: ColumnChanges,
): Promise<void> {
  const { pending } = changes;
  if (!pending.length) return;
  const pairs = new FilePairs();
  for (const { node, before, after } of pending) {
    const path = stack.tree.pathOf(node);
    pairs.add(
      layers[layerOf(before)]!,
      stack.columnsOf(before)!.entryAt(positionOf(before), path),
      layers[layerOf(after)]!,
      stack.columnsOf(after)!.entryAt(positionOf(after), path),
    );
  }
  const same = await sameContents(pairs);
  pending.forEach((item, k) => {
    if (!same[k]) changes.markModified(item);
  });
}
