// The streaming indexer against the indexes loadImage builds from the finished archive, for every
// layout an engine writes: docker save (the fixtures, from a real engine), Docker 25+, the
// containerd store (gzip blobs) and podman. Chunks of odd sizes, as a socket delivers them.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixturePaths } from '../../../e2e/fixtures';
import { normalizeMemberName } from '../archive/archive';
import { loadImage } from '../image/load-image';
import type { LayerIndex } from '../layer/layer-index';
import {
  containerdLayout,
  demo,
  docker25Layout,
  podmanLayout,
  tempArchive,
} from '../testing/layouts';
import { buildDemoArchive } from '../demo/demo-archive';
import { packTar } from '../tar/pack-tar';
import { ExportIndexer, type IndexedLayer } from './export-indexer';

/**
 * The export pushed in chunks of `chunk(i)` bytes. `reuse`: every chunk is a view of one buffer
 * that is written over after each push, as the socket reader's recycled memory is: the indexer
 * must keep nothing of a chunk past its push.
 */
async function stream(
  bytes: Buffer,
  chunk: (i: number) => number,
  reuse = false,
): Promise<{ found: IndexedLayer[]; placed: Map<string, Placed> }> {
  const found: IndexedLayer[] = [];
  const placed = new Map<string, Placed>();
  const indexer = new ExportIndexer(
    'test export',
    (layer) => found.push(layer),
    (layer, position) => {
      // Once a layer, and after it was told.
      const member = normalizeMemberName(layer.member)!;
      expect(placed.has(member)).toBe(false);
      expect(found).toContain(layer);
      placed.set(member, { position, at: indexer.position });
    },
  );
  const scratch = reuse ? Buffer.alloc(65_536) : null;
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const piece = bytes.subarray(at, at + chunk(i));
    if (scratch) {
      piece.copy(scratch);
      await indexer.push(scratch.subarray(0, piece.length));
      scratch.fill(0xa5);
    } else await indexer.push(piece);
    at += piece.length;
  }
  await indexer.end();
  expect(indexer.layersIndexed).toBe(found.length);
  return { found, placed };
}

/** Where a layer was placed, and how far into the export the indexer had read by then. */
interface Placed {
  position: number;
  at: number;
}

/** What loadImage reads from the archive itself, no cache: the reference, by stored member. */
async function reference(path: string): Promise<{ member: string; index: LayerIndex }[]> {
  const model = await loadImage(path);
  await model.close();
  return model.indexes.map((index, i) => ({ member: model.resolved.layers[i]!.stored, index }));
}

const plain = (name: string) => normalizeMemberName(name);

/**
 * loadImage keeps the content digests it computes on the way (to tell modified from rewritten)
 * on the entries of plain layers; the streamed index has none there yet. Compressed layers carry
 * them from the start, in both.
 */
const strip = (index: LayerIndex) => ({
  ...index,
  entries: index.entries.map(({ sha256, ...entry }) =>
    index.compression === 'none' ? entry : { ...entry, sha256 },
  ),
});

const block = () => 512;

async function expectSameIndexes(bytes: Buffer, name: string): Promise<void> {
  const path = tempArchive(bytes, name);
  const expected = await reference(path);
  const odd = (i: number) => 1 + ((i * 7919) % 65_536);
  const hasLegacyJson = /[0-9a-f]{64}\/json\0/.test(bytes.toString('latin1'));
  const runs: [(i: number) => number, boolean][] = [
    [odd, false],
    [block, false],
    [() => 97, false],
    [() => bytes.length, false],
    [odd, true],
    // One byte at every 512-byte boundary: each member's first piece is a byte long.
    [(i) => (i % 2 === 0 ? 1 : 511), true],
  ];
  for (const [chunk, reuse] of runs) {
    const { found, placed } = await stream(bytes, chunk, reuse);
    for (const [i, { member, index }] of expected.entries()) {
      const streamed = found.find((layer) => plain(layer.member) === plain(member));
      expect(streamed, `layer ${index.diffId} of ${name}`).toBeDefined();
      if (streamed!.diffId === null) {
        const where = placed.get(member);
        if (where?.position !== i) expect(expected[where!.position]?.member).toBe(member);
        // With docker save's legacy json files, before the manifest (which comes after them).
        if (hasLegacyJson && chunk === block)
          expect(where!.at).toBeLessThanOrEqual(bytes.indexOf('manifest.json'));
        expect(streamed!.index.diffId).toBe('');
        expect(strip({ ...streamed!.index, diffId: index.diffId })).toEqual(strip(index));
      } else {
        expect(streamed!.diffId).toBe(index.diffId);
        expect(strip(streamed!.index)).toEqual(strip(index));
      }
    }
  }
}

describe('ExportIndexer', () => {
  it.each(Object.keys(fixturePaths().fixtures))(
    'indexes the engine fixture %s as loadImage does',
    async (name) => {
      const archive =
        fixturePaths().fixtures[name as keyof ReturnType<typeof fixturePaths>['fixtures']].archive;
      await expectSameIndexes(readFileSync(archive), `${name}.tar`);
    },
  );

  it('indexes the legacy demo archive', async () => {
    await expectSameIndexes(await buildDemoArchive(), 'demo.tar');
  });

  it('indexes Docker 25+ blobs (named by digest)', async () => {
    await expectSameIndexes(await docker25Layout(await demo()), 'docker25.tar');
  });

  it('indexes podman <hex>.tar layers', async () => {
    await expectSameIndexes(await podmanLayout(await demo()), 'podman.tar');
  });

  it('indexes gzip blobs of the containerd store, with content digests and the diff ID', async () => {
    await expectSameIndexes(await containerdLayout(await demo(), true), 'containerd.tar');
  });

  it('fails when the export ends early, naming where', async () => {
    const bytes = await buildDemoArchive();
    const indexer = new ExportIndexer('docker://demo', () => {});
    await indexer.push(bytes.subarray(0, Math.floor(bytes.length / 2)));
    await expect(indexer.end()).rejects.toThrow(/docker:\/\/demo: truncated/);
  });

  it('fails without the end marker even at a member boundary', async () => {
    const bytes = await buildDemoArchive();
    const indexer = new ExportIndexer('docker://demo', () => {});
    await indexer.push(bytes.subarray(0, 512)); // one header, of a directory
    await expect(indexer.end()).rejects.toThrow(/without the tar's end marker/);
  });

  it('fails when a compressed blob does not match the digest in its name', async () => {
    const bytes = Buffer.from(await containerdLayout(await demo(), true));
    // Flip one byte inside the first layer blob's content (after its 512-byte header).
    const at = bytes.indexOf(Buffer.from('blobs/sha256/'), 1024);
    bytes.writeUInt8(bytes.readUInt8(at + 512 + 600) ^ 0xff, at + 512 + 600);
    const indexer = new ExportIndexer('docker://demo', () => {});
    await expect(
      (async () => {
        await indexer.push(bytes);
        await indexer.end();
      })(),
    ).rejects.toThrow(/not the one its name says/);
  });

  it('does not hash a plain layer: it takes the diff ID its name gives, as loadImage does', async () => {
    const bytes = Buffer.from(await docker25Layout(await demo()));
    // One letter of a file's content changed; the name of the blob holding it stays.
    const hit = bytes.indexOf('Strata Demo Linux');
    bytes.write('s', hit);
    const at = bytes.lastIndexOf('blobs/sha256/', hit);
    const name = bytes.toString('latin1', at, at + 'blobs/sha256/'.length + 64);
    const found: IndexedLayer[] = [];
    const indexer = new ExportIndexer('docker://demo', (layer) => found.push(layer));
    await indexer.push(bytes);
    await indexer.end();
    expect(found.find((layer) => layer.member === name)?.diffId).toBe(`sha256:${name.slice(-64)}`);
  });

  it('takes the diff IDs podman names its layers by', async () => {
    const { found } = await stream(await podmanLayout(await demo()), () => 4096);
    expect(found.map((layer) => layer.diffId)).toEqual(
      found.map((layer) => `sha256:${layer.member.slice(0, 64)}`),
    );
  });

  it("places docker save's layers by their json's parent chain, whatever order they come in", async () => {
    const image = await demo();
    const folder = (i: number) => `${'fedcba9876543210'[i]!.repeat(64)}`;
    const pair = (i: number) => [
      { name: `${folder(i)}/json`, body: JSON.stringify(i ? { parent: folder(i - 1) } : {}) },
      { name: `${folder(i)}/layer.tar`, body: image.layers[i]! },
    ];
    // Layer 1 before the base, then the others top down; no manifest at all.
    const order = [1, 0, ...[...image.layers.keys()].slice(2).reverse()];
    expect(order.length).toBeGreaterThan(3);
    const items = order.flatMap(pair);
    const { placed } = await stream(await packTar(items), block);
    expect(new Map([...placed].map(([member, { position }]) => [member, position]))).toEqual(
      new Map(image.layers.map((_, i) => [`${folder(i)}/layer.tar`, i])),
    );
    // Layer 1 as soon as the base's json passed, before the stream reached the third folder.
    const third = (await packTar(items.slice(0, 4))).length - 1024;
    expect(placed.get(`${folder(1)}/layer.tar`)!.at).toBeLessThanOrEqual(third);
  });
});
