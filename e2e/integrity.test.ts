// A real OCI archive (skopeo, gzip layers) with one layer blob's bytes changed in place: Strata
// reads the blob anyway, so it says which layer no longer matches the digest the manifest gives
// it. The unchanged archive gives no such warning.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fixturePaths } from './fixtures';
import type { InspectResult } from '../src-main/api/model';
import { readStrataView, strataCli, strataJson } from './fixtures/strata-reader';
import { readTarMembers } from './fixtures/tar-listing';

const sha = (data: Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`;
const blobName = (digest: string) => `blobs/sha256/${digest.slice('sha256:'.length)}`;

describe('a skopeo OCI archive with a layer blob changed in place', () => {
  const dir = mkdtempSync(join(tmpdir(), 'strata-integrity-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('names the layer and both digests; the unchanged archive has no warning', async () => {
    const original = fixturePaths().fixtures.basic.ociGzip;
    const index = JSON.parse(
      (await readTarMembers(original, (n) => n === 'index.json')).get('index.json')!.toString(),
    ) as { manifests: { digest: string }[] };
    const manifestName = blobName(index.manifests[0]!.digest);
    const manifest = JSON.parse(
      (await readTarMembers(original, (n) => n === manifestName)).get(manifestName)!.toString(),
    ) as { layers: { digest: string; mediaType: string }[] };
    // The last layer: its gzip header's MTIME byte changes (same length, still valid gzip,
    // the same content), so only the stored blob's digest can tell.
    const n = manifest.layers.length - 1;
    const layer = manifest.layers[n]!;
    expect(layer.mediaType).toMatch(/gzip/);
    const blob = (await readTarMembers(original, (name) => name === blobName(layer.digest))).get(
      blobName(layer.digest),
    )!;
    expect(sha(blob)).toBe(layer.digest);

    const bytes = readFileSync(original);
    const at = bytes.indexOf(blob);
    expect(at).toBeGreaterThan(0);
    bytes[at + 4] = (bytes[at + 4]! + 1) & 0xff;
    const changed = Buffer.from(blob);
    changed[4] = bytes[at + 4]!;
    const path = join(dir, 'changed.oci.tar');
    writeFileSync(path, bytes);

    const before = await readStrataView(original);
    expect(before.inspect.warnings.filter((w) => /digest/.test(w))).toEqual([]);
    const after = await readStrataView(path);
    expect(after.inspect.warnings).toEqual([
      ...before.inspect.warnings,
      `layer ${n}: its stored blob does not match the digest ${layer.digest} that the manifest gives it (its bytes hash to ${sha(changed)}): the archive was changed or damaged`,
    ]);
    // Everything else reads as before: the content (and so the diff ID) did not change.
    expect(after.inspect.layers).toEqual(before.inspect.layers);
    expect(after.layers).toEqual(before.layers);

    // The CLI says it too: in --json's warnings, and under Warnings in its text (exit 0).
    const json = await strataJson<InspectResult>(['inspect', path]);
    expect(json.warnings).toEqual(after.inspect.warnings);
    const text = (await strataCli(['inspect', path])).toString('utf8');
    expect(text).toContain(
      `\nWarnings\n  layer ${n}: its stored blob does not match the digest ${layer.digest}`,
    );
    expect((await strataCli(['inspect', original])).toString('utf8')).not.toContain(
      'does not match the digest',
    );
  });
});
