// Blob digests are checked where the bytes are read anyway: a compressed layer's stored bytes as
// they stream, the config and the manifests as they are read whole. A mismatch is a warning that
// names the blob and both digests; an intact archive has none.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { inspectArchive } from '../inspect';
import { loadImage } from '../image/load-image';
import { LayerIndexCache } from '../layer/index-cache';
import { packTar } from '../tar/pack-tar';
import {
  containerdLayout,
  demo,
  docker25Layout,
  legacyArchive,
  tempArchive,
} from '../testing/layouts';
import { digestNamedBy } from './digests';

/** Temp dirs this file makes, removed after it. */
const made: string[] = [];
afterAll(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
const scratch = (prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
};
const archive = (bytes: Buffer) => {
  const path = tempArchive(bytes);
  made.push(dirname(path));
  return path;
};

const sha = (data: Buffer | string) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

/** `bytes` with `find` (which must occur once) overwritten in place by `replace` (same length). */
function patch(bytes: Buffer, find: Buffer | string, replace: (old: Buffer) => Buffer): Buffer {
  const needle = Buffer.from(find);
  const at = bytes.indexOf(needle);
  expect(at).toBeGreaterThanOrEqual(0);
  expect(bytes.indexOf(needle, at + 1)).toBe(-1);
  const out = Buffer.from(bytes);
  const next = replace(needle);
  expect(next.length).toBe(needle.length);
  next.copy(out, at);
  return out;
}

/** A gzip member with its header's MTIME changed: still valid, the same content, other bytes. */
const touchGzipTime = (gz: Buffer) => {
  const out = Buffer.from(gz);
  out[4] = (out[4]! + 1) & 0xff;
  return out;
};

describe('blob digests', async () => {
  const image = await demo();
  const gz = image.layers.map((l) => gzipSync(l));

  it('an intact archive of every content-addressed layout gives no warning', async () => {
    for (const bytes of [
      await containerdLayout(image, true),
      await containerdLayout(image, false),
      await docker25Layout(image),
      await legacyArchive(image),
    ]) {
      expect((await inspectArchive(archive(bytes))).warnings).toEqual([]);
    }
  });

  it.each([
    ['manifest.json', true],
    ['an OCI index', false],
  ])(
    'a gzip layer blob changed in place (%s) is named, with both digests',
    async (_how, withManifestJson) => {
      const layout = await containerdLayout(image, withManifestJson);
      const touched = touchGzipTime(gz[2]!);
      const path = archive(patch(layout, gz[2]!, () => touched));
      const result = await inspectArchive(path);
      // The content is the same (the diff ID matches): only the stored blob differs.
      expect(result.layers.map((l) => l.diffId)).toEqual(image.layers.map(sha));
      expect(result.warnings).toEqual([
        `layer 2: its stored blob does not match the digest ${sha(gz[2]!)} that the manifest gives it (its bytes hash to ${sha(touched)}): the archive was changed or damaged`,
      ]);
    },
  );

  it('a changed blob in an OCI layout directory is named too', async () => {
    const dir = scratch('strata-oci-dir-');
    execFileSync('tar', ['-xf', archive(await containerdLayout(image, false)), '-C', dir]);
    const blob = join(dir, 'blobs', 'sha256', sha(gz[1]!).slice('sha256:'.length));
    writeFileSync(blob, touchGzipTime(readFileSync(blob)));
    const result = await inspectArchive(dir);
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toMatch(
      new RegExp(`^layer 1: its stored blob does not match the digest ${sha(gz[1]!)}`),
    );
  });

  it('a layer that fails its check is not cached for other copies of it', async () => {
    const cache = new LayerIndexCache();
    const bad = archive(
      patch(await containerdLayout(image, false), gz[3]!, () => touchGzipTime(gz[3]!)),
    );
    const model = await loadImage(bad, { cache });
    await model.close();
    expect(cache.has(sha(image.layers[3]!))).toBe(false);
    expect(cache.has(sha(image.layers[0]!))).toBe(true);
    // The intact archive read after it has no warning from the damaged copy.
    const good = await inspectArchive(archive(await containerdLayout(image, false)), { cache });
    expect(good.warnings).toEqual([]);
  });

  it('a config changed in place is named, in OCI and legacy layouts', async () => {
    const edit = () => Buffer.from('"Strata dema"');
    for (const [bytes, member] of [
      [await containerdLayout(image, false), `blobs/sha256/${sha(image.config).slice(7)}`],
      [await docker25Layout(image), `blobs/sha256/${sha(image.config).slice(7)}`],
      [await legacyArchive(image), `${sha(image.config).slice(7)}.json`],
    ] as const) {
      const path = archive(patch(bytes, '"Strata demo"', edit));
      const changed = image.config.replace('"Strata demo"', '"Strata dema"');
      const result = await inspectArchive(path);
      // The image ID is what the config's bytes hash to, as before.
      expect(result.image.id).toBe(sha(changed));
      expect(result.warnings).toEqual([
        `the image config "${member}" does not match the digest ${sha(image.config)} that the manifest gives it (its bytes hash to ${sha(changed)}): the archive was changed or damaged`,
      ]);
    }
  });

  it('a manifest changed in place is named against the index that lists it', async () => {
    const layout = await containerdLayout(image, false);
    // The nested index lists the amd64 manifest first; its "schemaVersion":2 becomes 3.
    const result = await inspectArchive(
      archive(
        patch(
          layout,
          `{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"${sha(image.config)}"`,
          (old) => Buffer.from(old.toString().replace('"schemaVersion":2', '"schemaVersion":3')),
        ),
      ),
    );
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toMatch(
      /^"blobs\/sha256\/([0-9a-f]{64})" does not match the digest sha256:\1 that blobs\/sha256\/[0-9a-f]{64} \(manifests\[0\]\) gives it \(its bytes hash to sha256:[0-9a-f]{64}\): the archive was changed or damaged$/,
    );
  });

  it.each([
    ['a path', 'sha256:../../../../etc/passwd'],
    ['upper-case hex', `sha256:${'A'.repeat(64)}`],
    ['a short hex', `sha256:${'a'.repeat(63)}`],
    ['another algorithm', `md5:${'a'.repeat(32)}`],
  ])('a digest that is %s never becomes a path', async (_what, digest) => {
    const path = archive(
      await packTar([
        { name: 'oci-layout', body: '{"imageLayoutVersion":"1.0.0"}' },
        {
          name: 'index.json',
          body: JSON.stringify({
            schemaVersion: 2,
            manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest }],
          }),
        },
      ]),
    );
    await expect(inspectArchive(path)).rejects.toThrow(
      `${path}: index.json: manifests[0].digest "${digest}" is not a valid digest`,
    );
  });

  it('a blob in an OCI layout directory that links outside it is not read', async () => {
    const dir = scratch('strata-oci-dir-');
    execFileSync('tar', ['-xf', archive(await containerdLayout(image, false)), '-C', dir]);
    const outside = join(scratch('strata-outside-'), 'layer');
    const blob = join(dir, 'blobs', 'sha256', sha(gz[0]!).slice('sha256:'.length));
    writeFileSync(outside, readFileSync(blob));
    rmSync(blob);
    symlinkSync(outside, blob);
    await expect(inspectArchive(dir)).rejects.toThrow(
      `${dir}: layer 0 ("blobs/sha256/${sha(gz[0]!).slice(7)}") is missing from the archive`,
    );
  });

  it('only content-addressed names declare a digest', () => {
    const hex = 'a'.repeat(64);
    expect(digestNamedBy(`blobs/sha256/${hex}`)).toBe(`sha256:${hex}`);
    expect(digestNamedBy(`${hex}.json`)).toBe(`sha256:${hex}`);
    expect(digestNamedBy(`blobs/sha256/${hex.slice(1)}`)).toBeNull();
    expect(digestNamedBy(`blobs/sha256/${hex.toUpperCase()}`)).toBeNull();
    expect(digestNamedBy(`${hex}/layer.tar`)).toBeNull();
    expect(digestNamedBy(`${hex}.tar`)).toBeNull();
    expect(digestNamedBy('manifest.json')).toBeNull();
  });
});
