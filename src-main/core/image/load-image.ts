// Opens an archive and builds the image model: layer indexes, the merged tree, change sets.
import { openArchive } from '../archive/open-archive';
import { resolveImage, type ImageChoice, type ResolvedImage } from '../archive/resolve-image';
import { readLayer } from '../layer/read-layer';
import type { LayerIndex } from '../layer/layer-index';
import { entryDigest } from '../layer/content';
import { MergedTree, type LayerChangeSet } from '../tree/merged-tree';

export type ProgressPhase = 'reading' | 'indexing' | 'done';
export type ProgressListener = (phase: ProgressPhase, done: number, total: number | null) => void;

export interface ImageModel {
  path: string;
  resolved: ResolvedImage;
  indexes: LayerIndex[];
  changeSets: LayerChangeSet[];
  /** The final merged file system. */
  tree: MergedTree;
  close(): Promise<void>;
}

export interface LoadOptions extends ImageChoice {
  onProgress?: ProgressListener;
}

export async function loadImage(path: string, options: LoadOptions = {}): Promise<ImageModel> {
  options.onProgress?.('reading', 0, null);
  const archive = await openArchive(path);
  try {
    const resolved = await resolveImage(archive, options);
    const indexes: LayerIndex[] = [];
    const changeSets: LayerChangeSet[] = [];
    const tree = new MergedTree();
    for (const [i, layer] of resolved.layers.entries()) {
      options.onProgress?.('indexing', i, resolved.layers.length);
      const index = await readLayer(
        layer.blob,
        layer.diffId,
        `${path}: layer ${i} (${layer.member})`,
      );
      indexes.push(index);
      const changes = tree.apply(index, i);
      for (const { path: p, before, after } of changes.pendingContent) {
        const [a, b] = await Promise.all([
          entryDigest(resolved.layers[before.layer]!.blob, before.entry),
          entryDigest(layer.blob, after.entry),
        ]);
        if (a !== b) changes.changes.set(p, 'modified');
      }
      changes.pendingContent = [];
      changeSets.push(changes);
    }
    options.onProgress?.('done', resolved.layers.length, resolved.layers.length);
    return { path, resolved, indexes, changeSets, tree, close: () => archive.close() };
  } catch (err) {
    await archive.close();
    throw err;
  }
}
