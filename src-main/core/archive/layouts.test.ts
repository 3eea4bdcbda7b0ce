import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inspectArchive } from '../inspect';
import { loadImage } from '../image/load-image';
import { listLayer } from '../image/layer-view';
import { buildDemoArchive } from '../demo/demo-archive';
import {
  containerdLayout,
  demo,
  docker25Layout,
  multiMemberGzipLayout,
  podmanLayout,
  tempArchive,
  twoImageArchive,
} from '../testing/layouts';

async function listing(path: string, options = {}) {
  const model = await loadImage(path, options);
  try {
    return listLayer(model, model.indexes.length - 1);
  } finally {
    await model.close();
  }
}

describe('archive layouts', async () => {
  const image = await demo();
  const legacy = tempArchive(await buildDemoArchive());
  const expected = await inspectArchive(legacy);
  const expectedList = await listing(legacy);
  const { format: _f, ...expectedRest } = expected;

  it.each([
    ['Docker 25+ (manifest.json and an OCI index)', () => docker25Layout(image), 'docker-save+oci'],
    [
      'Docker 25.0.0 (an OCI manifest without layers: manifest.json wins)',
      () => docker25Layout(image, true),
      'docker-save+oci',
    ],
    [
      'multi-member gzip layers (as eStargz writes them)',
      () => multiMemberGzipLayout(image),
      'oci-layout',
    ],
    [
      'containerd store with manifest.json (gzip blobs)',
      () => containerdLayout(image, true),
      'docker-save+oci',
    ],
    [
      'containerd store, OCI index only (nested index, missing platform, attestation)',
      () => containerdLayout(image, false),
      'oci-layout',
    ],
    [
      'podman docker-archive (<hex>.tar at the root, symlinked legacy dirs)',
      () => podmanLayout(image),
      'docker-save',
    ],
  ] as const)('%s reads the same image', async (_name, make, format) => {
    const path = tempArchive(await make());
    const result = await inspectArchive(path);
    expect(result.format).toBe(format);
    const { format: _g, ...rest } = result;
    if (format === 'docker-save')
      rest.image.tags = rest.image.tags.map((t) => t.replace(/^localhost\//, ''));
    if (format === 'oci-layout')
      rest.image.tags = rest.image.tags.map((t) => t.replace(/^docker\.io\//, ''));
    expect(rest).toEqual(expectedRest);
    expect(await listing(path)).toEqual(expectedList);
  });

  it('reads an OCI layout directory in place', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'strata-oci-dir-'));
    execFileSync('tar', ['-xf', tempArchive(await containerdLayout(image, false)), '-C', dir]);
    const result = await inspectArchive(dir);
    expect(result.format).toBe('oci-layout');
    expect(result.layers.map((l) => l.diffId)).toEqual(expected.layers.map((l) => l.diffId));
    expect(await listing(dir)).toEqual(expectedList);
  });

  it('asks which image when an archive holds several, and opens the one named', async () => {
    const other = {
      ...image,
      tag: 'strata/other:2',
      config: image.config.replace('"Strata demo"', '"Other"'),
    };
    const path = tempArchive(await twoImageArchive(image, other));
    await expect(inspectArchive(path)).rejects.toThrow(
      /holds 2 images: strata\/demo:1\.0; strata\/other:2; pick one with --image REF/,
    );
    expect((await inspectArchive(path, { image: 'strata/other:2' })).image.tags).toEqual([
      'strata/other:2',
    ]);
    await expect(inspectArchive(path, { image: 'nope' })).rejects.toThrow(/no image tagged "nope"/);
  });

  it('skips platforms whose blobs are missing and never offers the attestation', async () => {
    const path = tempArchive(await containerdLayout(image, false));
    await expect(inspectArchive(path, { platform: 'linux/arm64' })).rejects.toThrow(
      /no image for platform linux\/arm64; the archive holds 1 image: docker\.io\/strata\/demo:1\.0 linux\/amd64/,
    );
    expect((await inspectArchive(path, { platform: 'linux/amd64' })).layers).toHaveLength(4);
  });

  it('names the file when it is not an image archive', async () => {
    const path = tempArchive(Buffer.from('just some text, not a tar'), 'notes.txt');
    await expect(inspectArchive(path)).rejects.toThrow(new RegExp(`${path}: not a tar archive`));
  });
});
