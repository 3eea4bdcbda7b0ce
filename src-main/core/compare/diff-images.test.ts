import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDemoImage, type DemoImage } from '../demo/demo-archive';
import { packTar, type TarItem } from '../tar/pack-tar';
import { loadImage, type ImageModel } from '../image/load-image';
import { LayerIndexCache } from '../layer/index-cache';
import {
  demo,
  demoV2,
  legacyArchive,
  multiMemberGzipLayout,
  podmanLayout,
  tempArchive,
} from '../testing/layouts';
import { diffImages } from './diff-images';

let v1: ImageModel;
let v2: ImageModel;
let v1Podman: ImageModel;
beforeAll(async () => {
  const cache = new LayerIndexCache();
  v1 = await loadImage(tempArchive(await legacyArchive(await demo())), { cache });
  v2 = await loadImage(tempArchive(await legacyArchive(await demoV2())), { cache });
  v1Podman = await loadImage(tempArchive(await podmanLayout(await demo())));
});
afterAll(async () => Promise.all([v1.close(), v2.close(), v1Podman.close()]));

describe('comparing two images', () => {
  it('lists exactly the changes of v2, with what changed in each modified path', async () => {
    const diff = await diffImages(v1, v2);
    expect(diff.sharedLayers).toBe(4);
    expect(diff.files.map((f) => [f.path, f.change, f.aspects ?? []])).toEqual([
      ['/app/CHANGELOG.md', 'added', []],
      ['/app/public/logo.svg', 'removed', []],
      ['/app/server.js', 'modified', ['mode']],
      ['/etc/os-release', 'modified', ['content']],
    ]);
    expect(diff.summary).toEqual({ added: 1, removed: 1, modified: 2 });
    expect(diff.files[1]!.a).toMatchObject({ type: 'file', uid: 1000 });
    expect(diff.files[1]!.b).toBeNull();
  });

  it('aligns the stacks: the shared base once, then the divergent steps', async () => {
    const diff = await diffImages(v1, v2);
    expect(diff.layers.map((l) => [l.shared, l.a?.index ?? null, l.b?.index ?? null])).toEqual([
      [true, 0, 0],
      [true, 1, 1],
      [true, 2, 2],
      [true, 3, 3],
      [false, null, 4],
    ]);
    expect(diff.layers[4]!.b!.command).toContain('chmod +x /app/server.js');
    expect(diff.sizeDelta).toBe(v2.indexes[4]!.size);
  });

  it('diffs the config per field, env and labels per key', async () => {
    const diff = await diffImages(v1, v2);
    expect(diff.config).toEqual([
      { field: 'env.NODE_ENV', a: 'production', b: 'staging' },
      { field: 'label.org.example.channel', a: null, b: 'beta' },
    ]);
  });

  it('finds no difference between two layouts of the same image', async () => {
    const diff = await diffImages(v1, v1Podman);
    expect(diff.files).toEqual([]);
    expect(diff.config).toEqual([]);
    expect(diff.sharedLayers).toBe(4);
    expect(diff.sizeDelta).toBe(0);
  });

  it('swapping A and B swaps added and removed', async () => {
    const diff = await diffImages(v2, v1);
    expect(diff.files.map((f) => [f.path, f.change])).toEqual([
      ['/app/CHANGELOG.md', 'removed'],
      ['/app/public/logo.svg', 'added'],
      ['/app/server.js', 'modified'],
      ['/etc/os-release', 'modified'],
    ]);
  });
});

/** The demo image with one more layer of `items` on top. */
async function demoWith(items: TarItem[], tag: string): Promise<DemoImage> {
  const image = await buildDemoImage();
  const layer = await packTar(items);
  const config = JSON.parse(image.config) as {
    rootfs: { diff_ids: string[] };
    history: object[];
  };
  config.rootfs.diff_ids.push(`sha256:${createHash('sha256').update(layer).digest('hex')}`);
  config.history.push({ created: '2023-11-15T00:00:00Z', created_by: `/bin/sh -c ${tag}` });
  return { tag, config: JSON.stringify(config), layers: [...image.layers, layer] };
}

describe('comparing the contents of same-size files', () => {
  // Sizes around the 256 KiB read window, past which files are compared a 1 MiB piece at a
  // time, and around the pieces; many small files so that one window holds several; B writes
  // them in the opposite order.
  const sizes = [
    1,
    511,
    512,
    3000,
    256 * 1024 - 1,
    256 * 1024 + 1,
    1024 * 1024,
    1024 * 1024 + 1,
    2 * 1024 * 1024,
    3 * 1024 * 1024 + 7,
  ];
  const files: { name: string; body: Buffer; changedAt: number | null }[] = [];
  for (const [i, size] of sizes.entries()) {
    for (const where of new Set([null, 0, Math.floor(size / 2), size - 1])) {
      const body = Buffer.alloc(size, i + 1);
      for (let at = 0; at < size; at += 97) body[at] = (at * 31 + i) & 0xff;
      files.push({ name: `data/f${i}-${where ?? 'same'}`, body, changedAt: where });
    }
  }
  for (let i = 0; i < 300; i++)
    files.push({
      name: `data/many/${i}`,
      body: Buffer.alloc(700, i),
      changedAt: i % 7 === 0 ? 350 : null,
    });
  const changed = (f: (typeof files)[number]): Buffer => {
    if (f.changedAt === null) return f.body;
    const body = Buffer.from(f.body);
    body[f.changedAt] = body[f.changedAt]! ^ 0xff;
    return body;
  };
  const expected = files
    .filter((f) => f.changedAt !== null)
    .map((f) => `/${f.name}`)
    .sort();
  let a: DemoImage;
  let b: DemoImage;
  beforeAll(async () => {
    a = await demoWith(
      [
        { name: 'data/', type: 'directory' },
        { name: 'data/many/', type: 'directory' },
        ...files.map((f) => ({ name: f.name, body: f.body })),
      ],
      'a',
    );
    b = await demoWith(
      [
        { name: 'data/', type: 'directory' },
        { name: 'data/many/', type: 'directory' },
        ...files.map((f) => ({ name: f.name, body: changed(f) })).reverse(),
      ],
      'b',
    );
  });

  for (const form of ['plain', 'gzip'] as const) {
    it(`finds exactly the files whose bytes differ (${form} layers)`, async () => {
      const write = form === 'plain' ? legacyArchive : multiMemberGzipLayout;
      const ma = await loadImage(tempArchive(await write(a)), { store: null });
      const mb = await loadImage(tempArchive(await write(b)), { store: null });
      try {
        const diff = await diffImages(ma, mb);
        expect(diff.files.filter((f) => f.change === 'modified').map((f) => f.path)).toEqual(
          expected,
        );
        expect(
          diff.files.every((f) => f.change === 'modified' && f.aspects?.join() === 'content'),
        ).toBe(true);
      } finally {
        await Promise.all([ma.close(), mb.close()]);
      }
    });
  }
});
