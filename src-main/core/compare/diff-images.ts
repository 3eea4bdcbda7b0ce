// Image A against image B: the shared base, the aligned layer stacks, the file system diff of
// the two final trees (content compared by digest, read only for same-size candidates) and the
// config diff.
import type { AlignedLayer, DiffAspect, DiffEntry, DiffResult, FileDiff } from '../../api/compare';
import type { ImageModel } from '../image/load-image';
import { entryDigest, type StoredLayer } from '../layer/content';
import type { LayerEntry } from '../layer/layer-index';
import { layerCommands } from '../inspect';
import type { FsNode, Placed } from '../tree/merged-tree';
import { diffConfig } from './diff-config';

const COMPARE_BATCH = 16;

function entry(path: string, placed: Placed): DiffEntry {
  const { type, size, mode, uid, gid, linkTarget } = placed.entry;
  return { path, type, size, mode, uid, gid, linkTarget };
}

/** Both sides hold the very same bytes: same layer (by diff ID) and same entry in it. */
function sameStoredEntry(a: ImageModel, pa: Placed, b: ImageModel, pb: Placed): boolean {
  return (
    a.indexes[pa.layer]!.diffId === b.indexes[pb.layer]!.diffId &&
    pa.entry.dataOffset === pb.entry.dataOffset &&
    pa.entry.path === pb.entry.path
  );
}

async function aspects(
  a: ImageModel,
  pa: Placed,
  b: ImageModel,
  pb: Placed,
): Promise<DiffAspect[]> {
  const x = pa.entry;
  const y = pb.entry;
  const out: DiffAspect[] = [];
  if (x.type !== y.type) out.push('type');
  if (x.mode !== y.mode) out.push('mode');
  if (x.uid !== y.uid || x.gid !== y.gid) out.push('owner');
  if (x.linkTarget !== y.linkTarget) out.push('linkTarget');
  if (x.type === 'file' && y.type === 'file') {
    if (x.size !== y.size) out.push('content');
    else if (x.size > 0 && !sameStoredEntry(a, pa, b, pb) && !(await sameContent(a, pa, b, pb)))
      out.push('content');
  }
  return out;
}

/**
 * A file's bytes from a plain layer with one read of exactly its size (not through the source's
 * shared read-ahead window, which concurrent reads of many small files would keep replacing).
 */
async function exactly(layer: StoredLayer, entry: LayerEntry): Promise<Buffer> {
  const { source, offset } = layer.blob;
  const at = offset + entry.dataOffset;
  if (!source.readInto) return source.read(at, entry.size);
  const bytes = Buffer.allocUnsafe(entry.size);
  source.readInto(bytes, at, entry.size);
  return bytes;
}

/** Files up to this size in plain layers are compared byte for byte, read whole. */
const DIRECT_BYTES = 1024 * 1024;

/**
 * Whether two same-size files hold the same bytes: by their digests when both are known (streamed
 * layers), byte for byte when both lie in plain layers (one positioned read each, no stream, no
 * hash), else by digests computed now.
 */
async function sameContent(a: ImageModel, pa: Placed, b: ImageModel, pb: Placed): Promise<boolean> {
  const la = a.layers[pa.layer]!;
  const lb = b.layers[pb.layer]!;
  const x = pa.entry;
  const y = pb.entry;
  if (x.digest && y.digest) return x.digest === y.digest;
  if (la.compression === 'none' && lb.compression === 'none' && x.size <= DIRECT_BYTES) {
    const [bx, by] = await Promise.all([exactly(la, x), exactly(lb, y)]);
    return bx.equals(by);
  }
  const [da, db] = await Promise.all([entryDigest(la, x), entryDigest(lb, y)]);
  return da === db;
}

function sharedLayerCount(a: ImageModel, b: ImageModel): number {
  let n = 0;
  while (
    n < a.indexes.length &&
    n < b.indexes.length &&
    a.indexes[n]!.diffId === b.indexes[n]!.diffId
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
  const addAll = (path: string, node: FsNode, side: 'a' | 'b'): void => {
    const stack: [string, FsNode][] = [[path, node]];
    while (stack.length) {
      const [p, n] = stack.pop()!;
      files.push(
        side === 'a'
          ? { path: p, change: 'removed', a: entry(p, n.placed), b: null }
          : { path: p, change: 'added', a: null, b: entry(p, n.placed) },
      );
      if (n.children) for (const [name, child] of n.children) stack.push([`${p}/${name}`, child]);
    }
  };
  const candidates: [string, FsNode, FsNode][] = [];
  const stack: [string, FsNode, FsNode][] = [['', a.tree.root, b.tree.root]];
  while (stack.length) {
    const [prefix, na, nb] = stack.pop()!;
    const names = new Set([...(na.children?.keys() ?? []), ...(nb.children?.keys() ?? [])]);
    for (const name of names) {
      const path = `${prefix}/${name}`;
      const ca = na.children?.get(name);
      const cb = nb.children?.get(name);
      if (!cb) addAll(path, ca!, 'a');
      else if (!ca) addAll(path, cb, 'b');
      else {
        if (ca.children && cb.children) stack.push([path, ca, cb]);
        else {
          // one side a directory and the other not: the whole subtree of the directory side changes
          if (ca.children) for (const [n2, c2] of ca.children) addAll(`${path}/${n2}`, c2, 'a');
          if (cb.children) for (const [n2, c2] of cb.children) addAll(`${path}/${n2}`, c2, 'b');
        }
        candidates.push([path, ca, cb]);
      }
    }
  }
  // A few comparisons at a time: a same-size pair may need both contents read.
  for (let i = 0; i < candidates.length; i += COMPARE_BATCH) {
    await Promise.all(
      candidates.slice(i, i + COMPARE_BATCH).map(async ([path, ca, cb]) => {
        const found = await aspects(a, ca.placed, b, cb.placed);
        if (found.length)
          files.push({
            path,
            change: 'modified',
            a: entry(path, ca.placed),
            b: entry(path, cb.placed),
            aspects: found,
          });
      }),
    );
  }
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
