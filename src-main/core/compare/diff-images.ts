// Image A against image B: the shared base, the aligned layer stacks, the file system diff of
// the two final trees (content compared by digest, read only for same-size candidates) and the
// config diff.
import type { AlignedLayer, DiffAspect, DiffEntry, DiffResult, FileDiff } from '../../api/compare';
import type { ResolvedImage } from '../archive/resolve-image';
import type { ImageModel } from '../image/load-image';
import { FilePairs, sameContents } from '../layer/same-content';
import { isVerified } from '../integrity/digests';
import { disputeOf } from '../layer/index-cache';
import type { LayerEntry, LayerMeta } from '../layer/layer-index';
import { commandsOf } from '../inspect';
import { sameAttributes, type FsNode, type Placed } from '../tree/merged-tree';
import { diffConfig } from './diff-config';

/** A path's entry as the diff shows it. */
function diffEntry(path: string, e: LayerEntry): DiffEntry {
  const { type, size, mode, uid, gid, linkTarget } = e;
  return { path, type, size, mode, uid, gid, linkTarget };
}

export const removedFile = (path: string, x: LayerEntry): FileDiff => ({
  path,
  change: 'removed',
  a: diffEntry(path, x),
  b: null,
});

export const addedFile = (path: string, y: LayerEntry): FileDiff => ({
  path,
  change: 'added',
  a: null,
  b: diffEntry(path, y),
});

export const modifiedFile = (
  path: string,
  x: LayerEntry,
  y: LayerEntry,
  aspects: DiffAspect[],
): FileDiff => ({
  path,
  change: 'modified',
  a: diffEntry(path, x),
  b: diffEntry(path, y),
  aspects,
});

/**
 * Both sides hold the very same bytes: the same entry of one layer index, which two images share
 * only when their copies of the layer were proven the same bytes (a diff ID alone is a claim).
 */
function sameStoredEntry(a: ImageModel, pa: Placed, b: ImageModel, pb: Placed): boolean {
  return a.indexes[pa.layer] === b.indexes[pb.layer] && pa.entry === pb.entry;
}

/** How two entries at one path differ, content aside; null when they do not. */
export function attributeAspects(x: LayerEntry, y: LayerEntry): DiffAspect[] | null {
  // Only files have a size: entries of one type that are not files have 0.
  if (sameAttributes(x, y)) return null;
  const out: DiffAspect[] = [];
  if (x.type !== y.type) out.push('type');
  if (x.mode !== y.mode) out.push('mode');
  if (x.uid !== y.uid || x.gid !== y.gid) out.push('owner');
  if (x.linkTarget !== y.linkTarget) out.push('linkTarget');
  if (x.type === 'file' && y.type === 'file' && x.size !== y.size) out.push('content');
  return out;
}

/** What the diff reads of an image besides its final tree. */
export interface DiffSide {
  resolved: ResolvedImage;
  /** Each layer's index, entries aside, base first. */
  layers: readonly LayerMeta[];
}

/** The leading layers both images claim alike, unless a copy was found to hold other bytes. */
function sharedLayerCount(a: DiffSide, b: DiffSide): number {
  const trusted = (layer: LayerMeta) => isVerified(layer) && !disputeOf(layer);
  let n = 0;
  while (
    n < a.layers.length &&
    n < b.layers.length &&
    a.layers[n]!.diffId === b.layers[n]!.diffId &&
    trusted(a.layers[n]!) &&
    trusted(b.layers[n]!)
  )
    n++;
  return n;
}

/** Each layer as the aligned stacks show it (no efficiency figures or tree walks needed). */
function layerSides(side: DiffSide) {
  const commands = commandsOf(side.resolved, side.layers.length);
  return side.layers.map((layer, i) => ({
    index: i,
    diffId: layer.diffId,
    size: layer.size,
    command: commands[i] ?? '',
  }));
}

function alignLayers(a: DiffSide, b: DiffSide, shared: number): AlignedLayer[] {
  const sa = layerSides(a);
  const sb = layerSides(b);
  const side = (l: (typeof sa)[number] | undefined) => l ?? null;
  const rows: AlignedLayer[] = [];
  for (let i = 0; i < Math.max(sa.length, sb.length); i++) {
    rows.push({ shared: i < shared, a: side(sa[i]), b: i < shared ? side(sa[i]) : side(sb[i]) });
  }
  return rows;
}

/** The diff of two images whose files differ by `files` (in any order, sorted here). */
export function diffResultOf(a: DiffSide, b: DiffSide, files: FileDiff[]): DiffResult {
  files.sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
  const shared = sharedLayerCount(a, b);
  const size = (side: DiffSide): number => side.layers.reduce((sum, l) => sum + l.size, 0);
  const summary = { added: 0, removed: 0, modified: 0 };
  for (const f of files) summary[f.change]++;
  return {
    sharedLayers: shared,
    files,
    config: diffConfig(a.resolved.config, b.resolved.config),
    sizeDelta: size(b) - size(a),
    layers: alignLayers(a, b, shared),
    summary,
  };
}

/** Walks both trees in step, sorted by name, without recursion. */
export async function diffImages(a: ImageModel, b: ImageModel): Promise<DiffResult> {
  const files: FileDiff[] = [];
  // A node's entry carries the node's own path (the tree places every entry at its path).
  const addAll = (node: FsNode, side: 'a' | 'b'): void => {
    const stack = [node];
    while (stack.length) {
      const n = stack.pop()!;
      const path = n.entry.path;
      files.push(side === 'a' ? removedFile(path, n.entry) : addedFile(path, n.entry));
      if (n.children) for (const child of n.children.values()) stack.push(child);
    }
  };
  const modified = (ca: FsNode, cb: FsNode, found: DiffAspect[]): void => {
    files.push(modifiedFile(ca.entry.path, ca.entry, cb.entry, found));
  };
  // Same-size files of other stored copies: modified or not by their contents (same-content.ts).
  const inQuestion = { a: [] as FsNode[], b: [] as FsNode[], found: [] as (DiffAspect[] | null)[] };
  const pairs = new FilePairs();
  const compare = (ca: FsNode, cb: FsNode): void => {
    const x = ca.entry;
    const y = cb.entry;
    if (sameStoredEntry(a, ca, b, cb)) return;
    const found = attributeAspects(x, y);
    if (x.type === 'file' && y.type === 'file' && x.size === y.size && x.size > 0) {
      inQuestion.a.push(ca);
      inQuestion.b.push(cb);
      inQuestion.found.push(found);
      pairs.add(a.layers[ca.layer]!, x, b.layers[cb.layer]!, y);
    } else if (found) modified(ca, cb, found);
  };
  const stack: [Map<string, FsNode>, Map<string, FsNode>][] = [
    [a.tree.root.children!, b.tree.root.children!],
  ];
  while (stack.length) {
    const [ka, kb] = stack.pop()!;
    for (const [name, ca] of ka) {
      const cb = kb.get(name);
      if (!cb) {
        addAll(ca, 'a');
        continue;
      }
      if (ca.children && cb.children) stack.push([ca.children, cb.children]);
      else {
        // one side a directory and the other not: the whole subtree of the directory side changes
        if (ca.children) for (const child of ca.children.values()) addAll(child, 'a');
        if (cb.children) for (const child of cb.children.values()) addAll(child, 'b');
      }
      compare(ca, cb);
    }
    for (const [name, cb] of kb) if (!ka.has(name)) addAll(cb, 'b');
  }
  const same = await sameContents(pairs);
  same.forEach((equal, i) => {
    const found = inQuestion.found[i] ?? [];
    if (!equal) found.push('content');
    if (found.length) modified(inQuestion.a[i]!, inQuestion.b[i]!, found);
  });
  return diffResultOf(
    { resolved: a.resolved, layers: a.indexes },
    { resolved: b.resolved, layers: b.indexes },
    files,
  );
}
