import { describe, expect, it } from 'vitest';
import { diffImages } from '../compare/diff-images';
import { loadImage } from '../image/load-image';
import { packTar, type TarItem } from '../tar/pack-tar';
import { withLayers } from '../testing/malformed-cases';
import { ComparedOnRead } from './compared-on-read';
import { diffColumns } from './diff-columns';
import { ColumnsCache, loadColumns } from './load-columns';

const file = (name: string, body: string | Buffer, pax?: Record<string, string>): TarItem => ({
  name,
  body,
  ...(pax ? { pax } : {}),
});

/** A's and B's diff through columns, B's files compared as B is read; and the bytes of A read. */
async function diffAsRead(pathA: string, pathB: string) {
  const opening = { store: null, shared: new ColumnsCache(), treeOnly: true };
  const a = await loadColumns(pathA, opening);
  let readOfA = 0;
  for (const { blob } of a.layers) {
    const { source } = blob;
    const readInto = source.readInto!.bind(source);
    source.readInto = (target, position, length) => {
      readOfA += length;
      readInto(target, position, length);
    };
  }
  const compared = new ComparedOnRead(a);
  const b = await loadColumns(pathB, { ...opening, bodies: compared.bodies });
  const readAsBWasRead = readOfA;
  const diff = await diffColumns(a, b, compared);
  await Promise.all([a.close(), b.close()]);
  return { diff, readOfA, readAsBWasRead };
}

async function throughModel(pathA: string, pathB: string) {
  const a = await loadImage(pathA, { store: null, changes: 'none' });
  const b = await loadImage(pathB, { store: null, changes: 'none' });
  const diff = await diffImages(a, b);
  await Promise.all([a.close(), b.close()]);
  return diff;
}

const contentChanged = (diff: Awaited<ReturnType<typeof throughModel>>) =>
  diff.files.filter((f) => f.aspects?.includes('content')).map((f) => f.path);

describe("B's files compared with A's as B is read", () => {
  it('does not judge a file by the comparison of an earlier write of its path in the same layer', async () => {
    const pathA = await withLayers([await packTar([file('a', 'one'), file('b', 'two')])]);
    // The second /a comes with a PAX header: decoded as an entry, not taken from its block, so it
    // is not compared as it is read; /a's first write was, and found the same.
    const pathB = await withLayers([
      await packTar([file('a', 'one'), file('b', 'two'), file('a', 'six', { path: 'a' })]),
    ]);
    const expected = await throughModel(pathA, pathB);
    expect(contentChanged(expected)).toEqual(['/a']);
    expect((await diffAsRead(pathA, pathB)).diff).toEqual(expected);
  });

  it('does not judge a file by the comparison of its path in a lower layer of B', async () => {
    const pathA = await withLayers([await packTar([file('a', 'one'), file('b', 'two')])]);
    // Layer 2's /a lies where layer 1's did, and is not compared as it is read: A's /a lies
    // behind /b, the last file of A compared. (B's layer 1 is not A's: /c makes it B's own.)
    const pathB = await withLayers([
      await packTar([file('a', 'one'), file('b', 'two'), file('c', 'new')]),
      await packTar([file('a', 'six')]),
    ]);
    const expected = await throughModel(pathA, pathB);
    expect(contentChanged(expected)).toEqual(['/a']);
    expect((await diffAsRead(pathA, pathB)).diff).toEqual(expected);
  });

  it('leaves to later a file whose bytes run past the window its header was read from', async () => {
    const big = Buffer.alloc(100 * 1024, 0x62);
    const pathA = await withLayers([await packTar([file('big', big), file('a', 'one')])]);
    const other = Buffer.from(big);
    other[other.length - 1] = 0x63;
    const pathB = await withLayers([await packTar([file('big', other), file('a', 'one')])]);
    const expected = await throughModel(pathA, pathB);
    expect(contentChanged(expected)).toEqual(['/big']);
    expect((await diffAsRead(pathA, pathB)).diff).toEqual(expected);
  });

  it("reads A's layers forward, at most once, however B's entries are ordered", async () => {
    const filler = Buffer.alloc(300 * 1024, 0x61);
    const layerA = await packTar([file('x', 'one'), file('filler', filler), file('y', 'two')]);
    const pathA = await withLayers([layerA]);
    // B rewrites /x and /y in turn, 4,000 times, each a file of A's size whose bytes it has at hand.
    const items = Array.from({ length: 4000 }, (_, i) =>
      i % 2 ? file('y', i === 3999 ? 'six' : 'two') : file('x', 'one'),
    );
    const pathB = await withLayers([await packTar(items)]);
    const expected = await throughModel(pathA, pathB);
    expect(contentChanged(expected)).toEqual(['/y']);
    const { diff, readOfA, readAsBWasRead } = await diffAsRead(pathA, pathB);
    expect(diff).toEqual(expected);
    expect(readAsBWasRead).toBeGreaterThan(0);
    expect(readOfA).toBeLessThan(2 * layerA.length);
  });
});
