import { describe, expect, it } from 'vitest';
import type { Change } from '../../api/model';
import { LayerIndexBuilder, type RawLayerEntry } from '../layer/index-builder';
import type { LayerIndex } from '../layer/layer-index';
import { testLayer, type EntrySpec } from '../testing/test-layer';
import { MergedTree, type LayerChangeSet, type Placed } from '../tree/merged-tree';
import { PathTree } from '../tree/path-tree';
import {
  ABSENT,
  CHANGES,
  ColumnStack,
  layerOf,
  positionOf,
  type ColumnChanges,
} from './column-stack';
import { columnsOf } from './layer-columns';

/** A small generator of layers: few names, so that paths meet, nest, replace each other and come back. */
function randomLayers(seed: number): LayerIndex[] {
  const next = (): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
    return seed / 0x80000000;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const names = ['a', 'b', 'c', 'é', 'a', 'b', '.wh.a', '.wh.b', '.wh..wh..opq'];
  const written: RawLayerEntry[] = [];
  return Array.from({ length: 1 + Math.floor(next() * 6) }, (_, layer) => {
    const builder = new LayerIndexBuilder('sha256:x', 'none', `layer ${layer}`);
    for (let n = Math.floor(next() * 12); n > 0; n--) {
      // A quarter of the entries write again what a lower layer wrote (a chown -R, a re-COPY).
      if (written.length && next() < 0.25) {
        builder.add(pick(written));
        continue;
      }
      const name = Array.from({ length: 1 + Math.floor(next() * 3) }, () => pick(names)).join('/');
      const typeflag = pick(['0', '0', '5', '5', '2', '1']);
      const entry: RawLayerEntry = {
        name: typeflag === '5' ? `${name}/` : name,
        typeflag,
        size: pick([0, 5, 10]),
        mode: pick([0o644, 0o755, 0o600]),
        uid: pick([0, 0, 1]),
        gid: 0,
        mtime: 0,
        linkname:
          typeflag === '2'
            ? pick(['x', 'y'])
            : typeflag === '1'
              ? pick(['a', 'a/b', 'c', 'z'])
              : '',
        dataOffset: 0,
      };
      written.push(entry);
      builder.add(entry);
    }
    return builder.finish();
  });
}

/** Names a placement by layer and entry position (-1: a directory the layer implied). */
function merged(indexes: LayerIndex[], placed: Placed): string {
  return `${placed.layer}:${indexes[placed.layer]?.entries.indexOf(placed.entry) ?? -1}`;
}
const column = (placed: number): string => `${layerOf(placed)}:${positionOf(placed)}`;

function mergedChanges(set: LayerChangeSet) {
  return Object.fromEntries([...set.changes].filter(([, c]) => c !== 'unchanged'));
}
function columnChanges(stack: ColumnStack, index: LayerIndex, set: ColumnChanges) {
  const out: Record<string, Change> = {};
  if (set.codes)
    set.codes.forEach((code, at) => code && (out[index.entries[at]!.path] = CHANGES[code]!));
  else
    for (const [node, code] of set.byNode!) if (code) out[stack.tree.pathOf(node)] = CHANGES[code]!;
  return out;
}

function mergedTreeState(indexes: LayerIndex[], tree: MergedTree): string[] {
  return [...tree.walk()].map(([path, node]) => `${path} ${merged(indexes, node)}`).sort();
}
function columnTreeState(stack: ColumnStack): string[] {
  const out: string[] = [];
  for (let node = 1; node < stack.tree.size; node++) {
    const placed = stack.placedAt(node);
    if (placed !== ABSENT) out.push(`${stack.tree.pathOf(node)} ${column(placed)}`);
  }
  return out.sort();
}

describe('the merged tree on interned paths', () => {
  it('changes, notes, contents to compare and the tree as MergedTree, on 3,000 random stacks', () => {
    const seen = { removed: 0, modified: 0, pending: 0, notes: 0, byNode: 0 };
    for (let seed = 1; seed <= 3000; seed++) {
      const indexes = randomLayers(seed);
      const tree = new MergedTree();
      // Room for 2 paths at first: every stack grows its columns.
      const stack = new ColumnStack(new PathTree(2));
      indexes.forEach((index, i) => {
        const label = `seed ${seed}, layer ${i}`;
        const expected = tree.apply(index, i);
        const got = stack.apply(columnsOf(index, stack.tree), i);
        expect(got.counts(), label).toEqual(expected.counts());
        expect(columnChanges(stack, index, got), label).toEqual(mergedChanges(expected));
        expect(got.notes, label).toEqual(expected.notes);
        expect(
          got.pending
            .map((p) => `${stack.tree.pathOf(p.node)} ${column(p.before)} ${column(p.after)}`)
            .sort(),
          label,
        ).toEqual(
          expected.pendingContent
            .map((p) => `${p.path} ${merged(indexes, p.before)} ${merged(indexes, p.after)}`)
            .sort(),
        );
        expect(columnTreeState(stack), label).toEqual(mergedTreeState(indexes, tree));
        const counts = got.counts();
        seen.removed += counts.removed;
        seen.modified += counts.modified;
        seen.pending += got.pending.length;
        seen.notes += got.notes.length;
        if (got.byNode) seen.byNode++;
      });
    }
    // The generator makes every case often enough to mean something.
    for (const [what, count] of Object.entries(seen)) expect(count, what).toBeGreaterThan(500);
  });

  it('marks a rewrite whose contents differ as modified, by position or by node', () => {
    const layer = (...names: string[]): LayerIndex =>
      testLayer(...names.map((name): EntrySpec => [name, undefined, { size: 3, mode: 0o644 }]));
    const stack = new ColumnStack();
    stack.apply(columnsOf(layer('f', 'g', 'd/x'), stack.tree), 0);
    const byPosition = stack.apply(columnsOf(layer('f'), stack.tree), 1);
    expect(byPosition.codes).not.toBeNull();
    byPosition.markModified(byPosition.pending[0]!);
    expect(byPosition.counts()).toEqual({ added: 0, modified: 1, removed: 0 });
    const byNode = stack.apply(columnsOf(layer('.wh.d', 'g'), stack.tree), 2);
    expect(byNode.byNode).not.toBeNull();
    byNode.markModified(byNode.pending[0]!);
    expect(byNode.counts()).toEqual({ added: 0, modified: 1, removed: 2 });
  });
});
