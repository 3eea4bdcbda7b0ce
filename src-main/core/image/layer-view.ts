// The file system as of one layer, with what that layer did to each path: `strata ls`.
import type { Change, EntryType } from '../../api/model';
import { StrataError } from '../errors';
import type { LayerEntry } from '../layer/layer-index';
import { MergedTree, type FsNode, type LayerChangeSet, type Placed } from '../tree/merged-tree';
import { changesOf, type ImageModel } from './load-image';
import { runAtOnce, type Steps } from '../io/next-turn';

export interface ListedEntry {
  path: string;
  type: EntryType;
  size: number;
  mode: number;
  uid: number;
  gid: number;
  linkTarget: string | null;
  change: Change;
}

export function checkLayer(model: ImageModel, layer: number | undefined): number {
  return checkLayerOf(model.path, model.indexes.length, layer);
}

/** `layer` (the last when not given) of the image at `path` with `count` layers, checked. */
export function checkLayerOf(path: string, count: number, layer: number | undefined): number {
  const last = count - 1;
  if (layer === undefined) return last;
  if (!Number.isInteger(layer) || layer < 0 || layer > last) {
    throw new StrataError(
      'bad-request',
      `${path}: there is no layer ${layer}; the image has layers 0 to ${last}`,
    );
  }
  return layer;
}

/** Merged trees of lower layers kept per image, the most recent last (each holds every path). */
const KEPT_TREES = 3;
const lowerTrees = new WeakMap<ImageModel, Map<number, MergedTree>>();

/**
 * The merged tree of layers 0..layer: the final one is kept with the image; a lower one is
 * stacked again on demand (without change tracking) and kept for the next question about the
 * same layer (a view, then an entry, then its bytes): the few most recent.
 */
export function treeAt(model: ImageModel, layer: number): MergedTree {
  return runAtOnce(treeAtSteps(model, layer, () => false));
}

/** `treeAt`, stacking pausing where `due()` says a turn of the event loop is due. */
export function* treeAtSteps(
  model: ImageModel,
  layer: number,
  due: () => boolean,
): Steps<MergedTree> {
  if (layer === model.indexes.length - 1) return model.tree;
  let tree = lowerTrees.get(model)?.get(layer);
  if (!tree) {
    const stacked = new MergedTree();
    for (let i = 0; i <= layer; i++) yield* stacked.placeSteps(model.indexes[i]!, i, due);
    // Stacked meanwhile by a caller that could not wait: that one is kept.
    tree = lowerTrees.get(model)?.get(layer) ?? stacked;
  }
  let kept = lowerTrees.get(model);
  if (!kept) lowerTrees.set(model, (kept = new Map()));
  kept.delete(layer);
  kept.set(layer, tree);
  while (kept.size > KEPT_TREES) kept.delete(kept.keys().next().value!);
  return tree;
}

/**
 * The state of `path` as of `layer` (undefined: absent there), without making the tree as of the
 * layer where it can: from the final tree's node back through what each later layer that wrote
 * the path replaced. A path some later layer removed or first created is looked up in the tree
 * as of the layer (treeAt).
 */
export function stateAsOf(model: ImageModel, layer: number, path: string): Placed | undefined {
  let state: Placed | null | undefined = model.tree.get(path)?.placed;
  while (state && state.layer > layer) {
    const replaced: LayerChangeSet | undefined = model.changeSets[state.layer];
    state = replaced?.placedBefore(path);
  }
  return state ?? treeAt(model, layer).get(path)?.placed;
}

/** What `ls` shows of the entry at `path`. */
export function listedEntry(path: string, entry: LayerEntry, change: Change): ListedEntry {
  const { type, size, mode, uid, gid, linkTarget } = entry;
  return { path, type, size, mode, uid, gid, linkTarget, change };
}

/** Every path as of `layer`, plus those it removed, sorted by path; or only what it changed. */
export function listLayer(model: ImageModel, layer: number, onlyChanges = false): ListedEntry[] {
  const changeSet = changesOf(model, layer);
  const out: ListedEntry[] = [];
  if (onlyChanges) {
    const tree = treeAt(model, layer);
    for (const [path, change] of changeSet.changes) {
      if (change === 'unchanged') continue;
      const placed = change === 'removed' ? changeSet.before.get(path) : tree.get(path)?.placed;
      if (placed) out.push(listedEntry(path, placed.entry, change));
    }
  } else {
    // Depth first in each directory's own order; every node's entry carries its path (a flat
    // string whose hash the change map already knows), and the sort below puts them in order.
    const root = treeAt(model, layer).root;
    const stack: FsNode[] = [root];
    while (stack.length) {
      const node = stack.pop()!;
      if (node !== root) {
        const path = node.placed.entry.path;
        out.push(listedEntry(path, node.placed.entry, changeSet.changes.get(path) ?? 'unchanged'));
      }
      if (node.children?.size) {
        const children = [...node.children.values()];
        for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
      }
    }
    for (const [path, change] of changeSet.changes) {
      if (change !== 'removed') continue;
      const before = changeSet.before.get(path);
      if (before) out.push(listedEntry(path, before.entry, 'removed'));
    }
  }
  return out.sort(byPath);
}

/** `ls`'s order: by path, as strings compare. */
export const byPath = (a: { path: string }, b: { path: string }): number =>
  a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
