// Layer indexes kept on disk between runs (src-main/core/layer/index-store.ts), with the
// engine-built fixtures in every archive form: an image opened from stored indexes reads exactly
// as one read from its tars; a file changed in any way, a damaged store file or a layer that
// failed its digest check is read from the archive again.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SCAN_RULES } from '../src-main/core/analysis/content-scan';
import { findFindings } from '../src-main/core/analysis/findings';
import { summarize } from '../src-main/core/inspect';
import { loadImage } from '../src-main/core/image/load-image';
import { IndexStore } from '../src-main/core/layer/index-store';
import { oneLayer } from '../src-main/core/testing/malformed-cases';
import { fixturePaths, REPO_ROOT } from './fixtures';
import { readTarMembers } from './fixtures/tar-listing';

const root = mkdtempSync(join(tmpdir(), 'strata-index-store-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const newStore = (maxBytes?: number) => new IndexStore(join(root, `store-${dirs++}`), maxBytes, 0);
const storedFiles = (store: IndexStore): string[] => {
  try {
    return readdirSync(store.dir).filter((name) => name.endsWith('.idx'));
  } catch {
    return [];
  }
};

async function open(path: string, store: IndexStore) {
  const model = await loadImage(path, { store });
  try {
    return { inspect: summarize(model), indexes: model.indexes };
  } finally {
    await model.close();
  }
}

describe('the index store', () => {
  const { fixtures } = fixturePaths();
  const forms = ['archive', 'ociGzip', 'ociZstd'] as const;

  for (const name of ['basic', 'edge'] as const) {
    for (const form of forms) {
      it(`${name} (${form}): an image opened from stored indexes reads as one read from its tars`, async () => {
        const store = newStore();
        const cold = await open(fixtures[name][form], store);
        expect(storedFiles(store)).toHaveLength(cold.indexes.length);
        const warm = await open(fixtures[name][form], store);
        expect(warm.inspect).toEqual(cold.inspect);
        expect(warm.indexes).toEqual(cold.indexes);
        // Streamed (compressed) layers keep each file's content digest, and the store with them.
        const digested = cold.indexes.flatMap((i) => i.entries).filter((e) => e.sha256);
        expect(digested.length > 0).toBe(form !== 'archive');
        // The warm open read no layer: nothing new was written.
        expect(storedFiles(store)).toHaveLength(cold.indexes.length);
      });
    }
  }

  it('keeps what header-only fixtures lack: xattrs, empty link targets, non-ASCII names', async () => {
    const store = newStore();
    const path = await oneLayer([
      {
        name: 'bin/ping',
        body: 'x',
        pax: {
          'SCHILY.xattr.security.capability': '\u0001\u0000\u0000\u0002',
          'SCHILY.xattr.__proto__': 'plain',
        },
      },
      { name: 'empty-link', type: 'symlink', linkname: '' },
      { name: 'café/ünï ☃.txt', body: 'snow' },
    ]);
    const cold = await open(path, store);
    expect(storedFiles(store)).toHaveLength(1);
    const warm = await open(path, store);
    expect(warm.indexes).toEqual(cold.indexes);
    const ping = warm.indexes[0]!.entries.find((e) => e.path === '/bin/ping')!;
    expect(Object.keys(ping.xattrs!)).toEqual(['security.capability', '__proto__']);
    expect(Buffer.isBuffer(ping.xattrs!['security.capability'])).toBe(true);
  });

  it("keeps a gzip layer's content scans, and drops those made by other rules", async () => {
    const store = newStore();
    const path = fixtures.secrets.ociGzip;
    const findingsOf = async () => {
      const model = await loadImage(path, { store });
      try {
        return { found: await findFindings(model), indexes: model.indexes };
      } finally {
        await model.close();
      }
    };
    const cold = await findingsOf();
    const scanned = cold.indexes.filter((index) => index.contentScans?.size);
    expect(scanned.length).toBeGreaterThan(0);
    const warm = await findingsOf();
    expect(warm.indexes).toEqual(cold.indexes);
    expect(warm.found).toEqual(cold.found);
    // The rules' number changed in place (same length: the header's length stays right).
    const rules = String(SCAN_RULES);
    const other = rules.replace(/\d$/, (digit) => String((Number(digit) + 1) % 10));
    for (const name of storedFiles(store)) {
      const file = join(store.dir, name);
      const bytes = readFileSync(file);
      const at = bytes.indexOf(`"rules":${rules}`);
      if (at >= 0) bytes.write(other, at + '"rules":'.length, 'latin1');
      writeFileSync(file, bytes);
    }
    const older = await findingsOf();
    expect(older.indexes.some((index) => index.contentScans)).toBe(false);
    expect(older.found).toEqual(cold.found);
  });

  it('keeps nothing for an archive compressed whole (its layers are read from a spool file)', async () => {
    const store = newStore();
    await open(fixtures.basic.archiveGz, store);
    expect(storedFiles(store)).toEqual([]);
  });

  it('storing a layer again leaves its file as it is (no second write)', async () => {
    const store = newStore();
    const model = await loadImage(fixtures.basic.archive, { store });
    try {
      const inodes = () =>
        storedFiles(store)
          .map((name) => `${name}:${statSync(join(store.dir, name)).ino}`)
          .sort();
      const before = inodes();
      expect(before).toHaveLength(model.indexes.length);
      for (const [i, index] of model.indexes.entries()) {
        const layer = model.resolved.layers[i]!;
        await store.put(layer.blob, layer.diffId, index);
      }
      expect(inodes()).toEqual(before);
    } finally {
      await model.close();
    }
  });

  it('a file rewritten with the same bytes is read again (its times changed)', async () => {
    const store = newStore();
    const path = join(root, 'rewritten.tar');
    copyFileSync(fixtures.basic.archive, path);
    const first = await open(path, store);
    const layers = first.indexes.length;
    expect(storedFiles(store)).toHaveLength(layers);
    writeFileSync(path, readFileSync(path));
    const again = await open(path, store);
    expect(storedFiles(store)).toHaveLength(2 * layers);
    expect(again.inspect).toEqual(first.inspect);
  });

  it('a damaged store file is ignored, removed and written again', async () => {
    const store = newStore();
    const path = fixtures.edge.archive;
    const cold = await open(path, store);
    const files = storedFiles(store).map((name) => join(store.dir, name));
    const damage: ((bytes: Buffer) => Buffer)[] = [
      (b) => b.subarray(0, b.length - 1), // truncated
      (b) => Buffer.concat([b, Buffer.from([0])]), // longer
      (b) => Buffer.from(b.toString('latin1').replace('"count":', '"count" '), 'latin1'), // bad JSON
      (b) => Buffer.from(b.toString('latin1').replace('STRATAIX', 'STRATAIY'), 'latin1'),
      () => Buffer.from('garbage'),
      () => Buffer.alloc(0),
    ];
    for (const [i, file] of files.entries()) {
      writeFileSync(file, damage[i % damage.length]!(readFileSync(file)));
    }
    const again = await open(path, store);
    expect(again.inspect).toEqual(cold.inspect);
    expect(again.indexes).toEqual(cold.indexes);
    // Every damaged file was replaced by a good one.
    const third = await open(path, store);
    expect(third.indexes).toEqual(cold.indexes);
    for (const file of files) expect(readFileSync(file).subarray(0, 8).toString()).toBe('STRATAIX');
  });

  it('a store file of another file (same name in the store) is not taken for this one', async () => {
    const store = newStore();
    const a = join(root, 'a.tar');
    const b = join(root, 'b.tar');
    copyFileSync(fixtures.basic.archive, a);
    copyFileSync(fixtures.tiny.archive, b);
    await open(a, store);
    await open(b, store);
    // Swap every store file's contents around: each names the key it was written for.
    const files = storedFiles(store).map((name) => join(store.dir, name));
    const contents = files.map((f) => readFileSync(f));
    files.forEach((f, i) => writeFileSync(f, contents[(i + 1) % contents.length]!));
    const fresh = newStore();
    expect((await open(b, store)).inspect).toEqual((await open(b, fresh)).inspect);
    expect((await open(a, store)).inspect).toEqual((await open(a, fresh)).inspect);
  });

  it('holds at most maxBytes, the least recently used out first', async () => {
    const probe = newStore();
    await open(fixtures.basic.archive, probe);
    const sizes = storedFiles(probe).map((name) => statSync(join(probe.dir, name)).size);
    const max = Math.max(...sizes);
    const store = newStore(max);
    await open(fixtures.basic.archive, store);
    const left = storedFiles(store).map((name) => statSync(join(store.dir, name)).size);
    expect(left.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(max);
  });

  it('keeps no index of a layer whose blob failed its digest check', async () => {
    const original = fixtures.basic.ociGzip;
    const index = JSON.parse(
      (await readTarMembers(original, (n) => n === 'index.json')).get('index.json')!.toString(),
    ) as { manifests: { digest: string }[] };
    const blobName = (digest: string) => `blobs/sha256/${digest.slice('sha256:'.length)}`;
    const manifestName = blobName(index.manifests[0]!.digest);
    const manifest = JSON.parse(
      (await readTarMembers(original, (n) => n === manifestName)).get(manifestName)!.toString(),
    ) as { layers: { digest: string }[] };
    const last = manifest.layers.at(-1)!;
    const blob = (await readTarMembers(original, (n) => n === blobName(last.digest))).get(
      blobName(last.digest),
    )!;
    const bytes = readFileSync(original);
    const at = bytes.indexOf(blob);
    bytes[at + 4] = (bytes[at + 4]! + 1) & 0xff; // the gzip header's MTIME: same content
    const path = join(root, 'changed.oci.tar');
    writeFileSync(path, bytes);
    const store = newStore();
    const { indexes } = await open(path, store);
    expect(storedFiles(store)).toHaveLength(indexes.length - 1);
  });

  it('the CLI keeps indexes in $XDG_CACHE_HOME/strata/indexes, and none with STRATA_INDEX_CACHE=0', () => {
    const cli = join(REPO_ROOT, 'bin/strata.js');
    const run = (env: Record<string, string>) =>
      execFileSync(process.execPath, [cli, 'inspect', fixtures.basic.archive, '--json'], {
        env: {
          ...process.env,
          STRATA_INDEX_CACHE: '',
          STRATA_INDEX_CACHE_DIR: '',
          STRATA_INDEX_CACHE_MIN_ENTRIES: '0',
          ...env,
        },
      });
    const cache = join(root, 'xdg');
    const first = run({ XDG_CACHE_HOME: cache });
    const kept = readdirSync(join(cache, 'strata', 'indexes'));
    expect(kept.length).toBeGreaterThan(0);
    const hash = (b: Buffer) => createHash('sha256').update(b).digest('hex');
    expect(hash(run({ XDG_CACHE_HOME: cache }))).toBe(hash(first));
    const off = join(root, 'xdg-off');
    expect(hash(run({ XDG_CACHE_HOME: off, STRATA_INDEX_CACHE: '0' }))).toBe(hash(first));
    expect(() => readdirSync(off)).toThrow();
  });
});
