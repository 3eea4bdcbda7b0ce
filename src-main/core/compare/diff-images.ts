// Image A against image B: the shared base, the aligned layer stacks, the file system diff of
// the two final trees (content compared by digest, read only for same-size candidates) and the
// config diff.
import type { AlignedLayer, DiffAspect, DiffEntry, DiffResult, FileDiff } from '../../api/compare';
import type { ImageModel } from '../image/load-image';
import { FilePairs, sameContents } from '../layer/same-content';
import { isVerified } from '../integrity/digests';
import { disputeOf } from '../layer/index-cache';
import type { LayerEntry, LayerIndex } from '../layer/layer-index';
import { layerCommands } from '../inspect';
import { sameAttributes, type FsNode, type Placed } from '../tree/merged-tree';
import { diffConfig } from './diff-config';

function entry(path: string, placed: Placed): DiffEntry {
  const { type, size, mode, uid, gid, linkTarget } = placed.entry;
  return { path, type, size, mode, uid, gid, linkTarget };
}

/**
 * Both sides hold the very same bytes: the same entry of one layer index, which two images share
 * only when their copies of the layer were proven the same bytes (a diff ID alone is a claim).
 */
function sameStoredEntry(a: ImageModel, pa: Placed, b: ImageModel, pb: Placed): boolean {
  return a.indexes[pa.layer] === b.indexes[pb.layer] && pa.entry === pb.entry;
}

/** How two entries at one path differ, content aside; null when they do not. */
function attributeAspects(x: LayerEntry, y: LayerEntry): DiffAspect[] | null {
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

/** The leading layers both images claim alike, unless a copy was found to hold other bytes. */
function sharedLayerCount(a: ImageModel, b: ImageModel): number {
  const trusted = (index: LayerIndex) => isVerified(index) && !disputeOf(index);
  let n = 0;
  while (
    n < a.indexes.length &&
    n < b.indexes.length &&
    a.indexes[n]!.diffId === b.indexes[n]!.diffId &&
    trusted(a.indexes[n]!) &&
    trusted(b.indexes[n]!)
  )
    n++;
  return n;
}

/** Each layer as the aligned stacks show it (no efficiency figures or tree walks needed). */
function layerSides(m: ImageModel) {
  const commands = layerCommands(m);
  return m.indexes.map((index, i) => ({
    index: i,
    diffId: index.diffId,
    size: index.size,
    command: commands[i] ?? '',
  }));
}

function alignLayers(a: ImageModel, b: ImageModel, shared: number): AlignedLayer[] {
  const sa = layerSides(a);
  const sb = layerSides(b);
  const side = (l: (typeof sa)[number] | undefined) => l ?? null;
  const rows: AlignedLayer[] = [];
  for (let i = 0; i < Math.max(sa.length, sb.length); i++) {
    rows.push({ shared: i < shared, a: side(sa[i]), b: i < shared ? side(sa[i]) : side(sb[i]) });
  }
  return rows;
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
      files.push(
        side === 'a'
          ? { path, change: 'removed', a: entry(path, n), b: null }
          : { path, change: 'added', a: null, b: entry(path, n) },
      );
      if (n.children) for (const child of n.children.values()) stack.push(child);
    }
  };
  const modified = (ca: FsNode, cb: FsNode, found: DiffAspect[]): void => {
    const path = ca.entry.path;
    files.push({
      path,
      change: 'modified',
      a: entry(path, ca),
      b: entry(path, cb),
      aspects: found,
    });
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
  files.sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
  const shared = sharedLayerCount(a, b);
  const size = (m: ImageModel): number => m.indexes.reduce((sum, i) => sum + i.size, 0);
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
