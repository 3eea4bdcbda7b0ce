// Image A against image B on interned paths (`strata diff` of two archives): both are opened over
// one path tree (ColumnsCache), so a path is the same node in both, and the final trees are
// compared node by node instead of walked name by name. The result is diffImages's.
import type { DiffAspect, DiffResult, FileDiff } from '../../api/compare';
import {
  addedFile,
  attributeAspects,
  diffResultOf,
  modifiedFile,
  removedFile,
} from '../compare/diff-images';
import type { StoredFile } from '../layer/content';
import { FilePairs, sameContents } from '../layer/same-content';
import { ROOT, type PathTree } from '../tree/path-tree';
import { ABSENT, layerOf, positionOf, sameAttributesAcross } from './column-stack';
import { FILE, type LayerColumns } from './layer-columns';
import type { ImageChoice } from '../archive/resolve-image';
import type { IndexStore } from '../layer/index-store';
import type { LayerMeta } from '../layer/layer-index';
import { expectLayersOf } from '../source/open-source';
import { ColumnsCache, loadColumns, type ImageColumns } from './load-columns';
import { ComparedOnRead } from './compared-on-read';

/** A file to compare by its bytes; its path is made only for an error that names it. */
class PlacedFile implements StoredFile {
  readonly size: number;
  readonly dataOffset: number;
  sha256?: string;

  constructor(
    private readonly tree: PathTree,
    private readonly node: number,
    columns: LayerColumns,
    at: number,
  ) {
    this.size = columns.size[at]!;
    this.dataOffset = columns.dataOffset[at]!;
    const digest = columns.digestOf(at);
    if (digest !== undefined) this.sha256 = digest;
  }

  get path(): string {
    return this.tree.pathOf(this.node);
  }
}

export async function diffColumns(
  a: ImageColumns,
  b: ImageColumns,
  /** B's files compared with A's as B was read. */
  compared?: ComparedOnRead,
): Promise<DiffResult> {
  const tree = a.stack.tree;
  if (b.stack.tree !== tree) throw new Error('diffColumns: A and B were not opened over one tree');
  const files: FileDiff[] = [];
  // Same-size files of other stored entries: modified or not by their contents (same-content.ts).
  const pairs = new FilePairs();
  const inQuestion: { node: number; pa: number; pb: number; found: DiffAspect[] | null }[] = [];
  const entries = (node: number, pa: number, pb: number) => {
    const path = tree.pathOf(node);
    return [path, a.stack.entryOf(pa, path), b.stack.entryOf(pb, path)] as const;
  };
  /** A pair of same-size files, modified if `found` any aspect or their bytes differ. */
  const settle = (
    node: number,
    pa: number,
    pb: number,
    found: DiffAspect[] | null,
    sameBytes: boolean,
  ): void => {
    const aspects = found ?? [];
    if (!sameBytes) aspects.push('content');
    if (!aspects.length) return;
    const [path, x, y] = entries(node, pa, pb);
    files.push(modifiedFile(path, x, y, aspects));
  };
  for (let node = ROOT + 1; node < tree.size; node++) {
    const pa = a.stack.placedAt(node);
    const pb = b.stack.placedAt(node);
    if (pa === ABSENT && pb === ABSENT) continue;
    if (pa === ABSENT || pb === ABSENT) {
      const path = tree.pathOf(node);
      files.push(
        pb === ABSENT
          ? removedFile(path, a.stack.entryOf(pa, path))
          : addedFile(path, b.stack.entryOf(pb, path)),
      );
      continue;
    }
    const ca = a.stack.columnsOf(pa);
    const cb = b.stack.columnsOf(pb);
    const at = positionOf(pa);
    const bt = positionOf(pb);
    // The very same entry of one layer's columns, which two images share only when their copies
    // of the layer were proven the same bytes.
    if (ca && ca === cb && at === bt) continue;
    const sameSizeFiles =
      ca?.type[at] === FILE &&
      cb?.type[bt] === FILE &&
      ca.size[at] === cb.size[bt] &&
      ca.size[at]! > 0;
    const sameAttributes = sameAttributesAcross(a.stack, pa, b.stack, pb);
    if (sameSizeFiles) {
      let found: DiffAspect[] | null = null;
      if (!sameAttributes) {
        const [, x, y] = entries(node, pa, pb);
        found = attributeAspects(x, y);
      }
      const same = compared?.sameAs(node, layerOf(pb), cb.dataOffset[bt]!);
      if (same !== undefined) {
        settle(node, pa, pb, found, same);
        continue;
      }
      pairs.add(
        a.layers[layerOf(pa)]!,
        new PlacedFile(tree, node, ca, at),
        b.layers[layerOf(pb)]!,
        new PlacedFile(tree, node, cb, bt),
      );
      inQuestion.push({ node, pa, pb, found });
    } else if (!sameAttributes) {
      const [path, x, y] = entries(node, pa, pb);
      files.push(modifiedFile(path, x, y, attributeAspects(x, y)!));
    }
  }
  const same = await sameContents(pairs);
  same.forEach((equal, i) => {
    const { node, pa, pb, found } = inQuestion[i]!;
    settle(node, pa, pb, found, equal);
  });
  return diffResultOf(
    { resolved: a.resolved, layers: a.metas },
    { resolved: b.resolved, layers: b.metas },
    files,
  );
}

/** What `strata diff` of two archives gives. */
export interface ArchiveDiff {
  diff: DiffResult;
  /** B's layers, base first: a copy whose bytes differ from A's under one diff ID is disputed. */
  layersB: LayerMeta[];
}

/** Opens two archives over one tree, the layers they share read once, and diffs them. */
export async function diffArchives(
  pathA: string,
  pathB: string,
  options: ImageChoice & { store?: IndexStore | null } = {},
): Promise<ArchiveDiff> {
  const shared = new ColumnsCache();
  // B's copies of the layers A holds are compared with A's as A is read.
  await expectLayersOf(pathB, options, shared);
  const opening = { ...options, shared, treeOnly: true };
  const a = await loadColumns(pathA, opening);
  try {
    const compared = new ComparedOnRead(a);
    const b = await loadColumns(pathB, { ...opening, bodies: compared.bodies });
    try {
      return { diff: await diffColumns(a, b, compared), layersB: b.metas };
    } finally {
      await b.close();
    }
  } finally {
    await a.close();
  }
}
