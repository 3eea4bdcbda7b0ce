import { describe, expect, it } from 'vitest';
import { fixturePaths } from '../../../e2e/fixtures';
import { openArchive } from '../archive/open-archive';
import { resolveImage } from '../archive/resolve-image';
import { LayerIndexBuilder, type RawLayerEntry } from '../layer/index-builder';
import { testLayer } from '../testing/test-layer';
import { tempArchive } from '../testing/layouts';
import { fixChecksum } from '../testing/malformed-cases';
import { FileSource } from '../io/byte-source';
import { packTar, type TarItem } from '../tar/pack-tar';
import { detectCompression, readLayerInto, type LayerBlob } from '../layer/read-layer';
import { walkTarBatches } from '../tar/walk';
import { PathTree } from '../tree/path-tree';
import { checkPacked, packIndex } from '../layer/packed-index';
import {
  columnsOf,
  columnsOfPacked,
  LayerColumnsWriter,
  packColumns,
  TYPES,
  WrittenNodes,
  type LayerColumns,
} from './layer-columns';

/** Every entry as [path, type, size, mode, uid, gid, mtime, data offset, link, digest], in order. */
function rows(tree: PathTree, c: LayerColumns): unknown[] {
  return Array.from({ length: c.count }, (_, at) => [
    tree.pathOf(c.node[at]!),
    TYPES[c.type[at]!],
    c.size[at],
    c.mode[at],
    c.uid[at],
    c.gid[at],
    c.mtime[at],
    c.dataOffset[at],
    c.links.get(at) ?? null,
    c.entryAt(at, '').sha256 ?? null,
  ]);
}
const paths = (tree: PathTree, nodes: Int32Array): string[] =>
  [...nodes].map((n) => tree.pathOf(n));

type Feed = (builder: LayerIndexBuilder) => Promise<void> | void;

/**
 * The two ways of building a layer's columns, fed the same entries: through objects and directly.
 * `reference` feeds the objects; `feed` the columns, and objects again where `reference` is given
 * (which must then give every entry to add(): a plain layer read from its header bytes is held to
 * the entries of the way every other entry takes).
 */
async function bothWays(feed: Feed, reference?: Feed) {
  const viaObjects = new LayerIndexBuilder('sha256:x', 'none', 'L');
  await (reference ?? feed)(viaObjects);
  const index = viaObjects.finish();
  if (reference) {
    const again = new LayerIndexBuilder('sha256:x', 'none', 'L');
    await feed(again);
    expect(again.finish()).toEqual(index);
  }
  const objectTree = new PathTree(2);
  const expected = columnsOf(index, objectTree);
  const tree = new PathTree(2);
  const direct = new LayerIndexBuilder(
    'sha256:x',
    'none',
    'L',
    false,
    new LayerColumnsWriter(tree, new WrittenNodes()),
  );
  await feed(direct);
  const { columns, meta } = direct.finishColumns();
  expect(rows(tree, columns)).toEqual(rows(objectTree, expected));
  // And through the packed form that layer workers send and the index store keeps.
  const packed = packIndex(index);
  checkPacked(packed);
  const packedTree = new PathTree(2);
  expect(rows(packedTree, columnsOfPacked(packed, packedTree))).toEqual(rows(objectTree, expected));
  // And packed again from the columns, as the index store keeps a plain layer read as columns.
  const repacked = packColumns(columns, meta, tree);
  checkPacked(repacked);
  const repackedTree = new PathTree(2);
  expect(rows(repackedTree, columnsOfPacked(repacked, repackedTree))).toEqual(
    rows(objectTree, expected),
  );
  expect(paths(tree, columns.whiteouts)).toEqual(index.whiteouts);
  expect(paths(tree, columns.opaqueDirs)).toEqual(index.opaqueDirs);
  expect(meta.notes).toEqual(index.notes);
  expect(meta.size).toBe(index.size);
  return columns;
}

/** A plain layer's entries decoded and given to add() one by one. */
async function addEach(builder: LayerIndexBuilder, blob: LayerBlob): Promise<void> {
  const range = { start: blob.offset, end: blob.offset + blob.length };
  for await (const batch of walkTarBatches(blob.source, range))
    for (const entry of batch) builder.add(entry, blob.offset);
}

describe("a layer's columns written as its entries come", () => {
  it('hold what columns made from its index hold, for every layer of the fixture archives', async () => {
    const { fixtures } = fixturePaths();
    let entries = 0;
    for (const name of ['basic', 'edge', 'secrets', 'dive-figures', 'compare-v2'] as const) {
      const archive = await openArchive(fixtures[name].archive);
      try {
        const { layers } = await resolveImage(archive);
        for (const layer of layers) {
          const compression = await detectCompression(layer.blob);
          const columns = await bothWays(
            (builder) => readLayerInto(builder, layer.blob, compression, name).then(() => {}),
            compression === 'none' ? (builder) => addEach(builder, layer.blob) : undefined,
          );
          entries += columns.count;
        }
      } finally {
        await archive.close();
      }
    }
    expect(entries).toBeGreaterThan(100);
  });

  it('keep the last write of a path written again, and every note, for names of every shape', async () => {
    const names = [
      'a',
      'a/',
      './a',
      '/a',
      'a//b',
      'a/./b',
      'a/../b',
      '../../etc/x',
      'b/.wh.c',
      '.wh..wh..opq',
      'd/.wh..wh..opq',
      '.wh..wh.plnk/x',
      'é',
      'a/b/',
    ];
    let seed = 7;
    const next = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
      return seed / 0x80000000;
    };
    for (let round = 0; round < 300; round++) {
      const entries: RawLayerEntry[] = Array.from({ length: Math.floor(next() * 20) }, () => {
        const typeflag = ['0', '5', '2', '1', 'Z'][Math.floor(next() * 5)]!;
        return {
          name: names[Math.floor(next() * names.length)]!,
          typeflag,
          size: Math.floor(next() * 3) * 7,
          mode: 0o644,
          uid: Math.floor(next() * 2),
          gid: 0,
          mtime: Math.floor(next() * 3),
          linkname: typeflag === '1' ? '../../x' : typeflag === '2' ? 'target' : '',
          dataOffset: Math.floor(next() * 10) * 512,
          ...(next() < 0.3
            ? { sha256: String.fromCharCode(Math.floor(next() * 256)).repeat(32) }
            : {}),
        };
      });
      await bothWays((builder) => entries.forEach((entry) => builder.add(entry)));
    }
  });
  it('hold the same for tars of names of every shape, their plain ones taken from the headers', async () => {
    const names = [
      'a',
      'a/b/',
      './a/c',
      '/a/d',
      'a//b',
      'a/./b',
      'a/../b',
      '../../etc/x',
      'b/.wh.c',
      'd/.wh..wh..opq',
      'x.wh.y',
      'café/é',
      `${'d'.repeat(70)}/${'e'.repeat(70)}/f`,
      `${'g'.repeat(120)}/h`,
    ];
    let seed = 11;
    const next = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
      return seed / 0x80000000;
    };
    for (let round = 0; round < 60; round++) {
      const items: TarItem[] = Array.from({ length: 1 + Math.floor(next() * 30) }, () => {
        const type = (['file', 'directory', 'symlink', 'link'] as const)[Math.floor(next() * 4)]!;
        return {
          name: names[Math.floor(next() * names.length)]!,
          type,
          body: type === 'file' ? 'x'.repeat(Math.floor(next() * 700)) : undefined,
          mode: next() < 0.5 ? 0o644 : 0o4755,
          uid: Math.floor(next() * 3),
          ...(type === 'symlink' || type === 'link' ? { linkname: 'a/b' } : {}),
        };
      });
      // First a file named once, whose header is then made a name of invalid UTF-8 or an old
      // tar's file (typeflag NUL).
      const tar = await packTar([{ name: 'first', body: 'abc' }, ...items]);
      if (round % 3 === 0) tar[1] = 0xff;
      if (round % 3 === 1) tar[156] = 0;
      fixChecksum(tar, 0);
      const source = await FileSource.open(tempArchive(tar));
      try {
        const blob = { source, offset: 0, length: tar.length };
        await bothWays(
          (builder) => readLayerInto(builder, blob, 'none', 'L').then(() => {}),
          (builder) => addEach(builder, blob),
        );
      } finally {
        await source.close();
      }
    }
  });

  it('grow past the room they were made with', async () => {
    // 3,000 entries, some paths written twice: a writer makes room for 1,024 unless told more.
    const items: TarItem[] = Array.from({ length: 3000 }, (_, i) => ({
      name: `d${(i % 2600) % 7}/f${i % 2600}`,
      body: 'x'.repeat(i % 5),
      uid: i % 3,
    }));
    const tar = await packTar(items);
    const source = await FileSource.open(tempArchive(tar));
    try {
      const blob = { source, offset: 0, length: tar.length };
      const columns = await bothWays(
        (builder) => readLayerInto(builder, blob, 'none', 'L').then(() => {}),
        (builder) => addEach(builder, blob),
      );
      expect(columns.count).toBe(2600);
    } finally {
      await source.close();
    }
  });
});

describe('columns of a packed index', () => {
  it('are refused where the packed form is damaged', async () => {
    const link = { linkname: 'x' };
    const good = packIndex(testLayer(['a/', '5', link], ['a/b', '2', link], ['a/c', '2', link]));
    const damaged = [
      { ...good, count: good.count + 1 },
      { ...good, numbers: good.numbers.map((n, i) => (i === 0 ? 99 : n)) },
      { ...good, strings: Buffer.concat([good.strings, Buffer.from('\0/extra')]) },
      { ...good, digests: Buffer.alloc(32) },
    ];
    for (const packed of damaged) expect(() => checkPacked(packed)).toThrow(/packed index/);
    const relative = {
      ...good,
      strings: Buffer.from(good.strings.toString().replace('/a/b', 'a/bb')),
    };
    expect(() => columnsOfPacked(relative, new PathTree())).toThrow(/not absolute/);
  });
});
