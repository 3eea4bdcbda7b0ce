// The export cache on a real folder: atomic completion, reopen by ID, LRU eviction that spares
// archives in use, clear, and partial files of dead processes swept.
import { existsSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultCacheDir, ExportCache } from './export-cache';
import { removeTempDirs, tempDir } from '../../../e2e/engine/temp-dirs';

const id = (n: number): string => `sha256:${String(n).repeat(64).slice(0, 64)}`;

function cacheDir(): string {
  return join(tempDir('strata-cache-'), 'exports');
}

async function put(cache: ExportCache, imageId: string, bytes: number): Promise<string> {
  const writer = await cache.begin(imageId);
  await writer.write(Buffer.alloc(bytes, 1));
  const lease = await writer.commit();
  lease.release();
  return lease.path;
}

afterAll(() => removeTempDirs());

describe('ExportCache', () => {
  it('lives in $XDG_CACHE_HOME/strata, ~/.cache/strata without it', () => {
    expect(defaultCacheDir({ XDG_CACHE_HOME: '/x' }, 'linux', '/home/me')).toBe(
      '/x/strata/exports',
    );
    expect(defaultCacheDir({}, 'linux', '/home/me')).toBe('/home/me/.cache/strata/exports');
    expect(defaultCacheDir({}, 'darwin', '/Users/me')).toBe(
      '/Users/me/Library/Caches/strata/exports',
    );
    expect(defaultCacheDir({ STRATA_CACHE_DIR: '/c' }, 'linux', '/h')).toBe('/c');
  });

  it('shows an archive only once it is committed, and finds it again by ID', async () => {
    const cache = new ExportCache(cacheDir());
    const writer = await cache.begin(id(1));
    await writer.write(Buffer.from('half'));
    expect(await cache.lookup(id(1))).toBeNull();
    expect((await cache.info()).images).toBe(0);
    const lease = await writer.commit();
    expect(existsSync(writer.partialPath)).toBe(false);
    expect(lease.path.endsWith(`${'1'.repeat(64)}.tar`)).toBe(true);
    const again = await cache.lookup(id(1));
    expect(again?.path).toBe(lease.path);
    expect(await cache.info()).toMatchObject({ images: 1, bytes: 4 });
  });

  it('discard removes the partial file and leaves no entry', async () => {
    const cache = new ExportCache(cacheDir());
    const writer = await cache.begin(id(2));
    await writer.write(Buffer.alloc(1000));
    await writer.discard();
    expect(readdirSync(cache.dir)).toEqual([]);
    expect(await cache.lookup(id(2))).toBeNull();
  });

  it('evicts the least recently used archives past its bound, never one in use', async () => {
    const cache = new ExportCache(cacheDir(), 2500);
    const a = await put(cache, id(3), 1000);
    const b = await put(cache, id(4), 1000);
    const old = new Date(Date.now() - 60_000);
    utimesSync(a, old, old);
    utimesSync(b, new Date(Date.now() - 30_000), new Date(Date.now() - 30_000));
    const inUse = await cache.lookup(id(3)); // a becomes the most recent, and leased
    expect(inUse).not.toBeNull();
    await put(cache, id(5), 1000);
    expect(existsSync(a)).toBe(true);
    expect(existsSync(b)).toBe(false);
    inUse!.release();
    // Over the bound with nothing else to drop: the leased one stays until released.
    const big = await cache.begin(id(6));
    await big.write(Buffer.alloc(3000));
    const leased = await big.commit();
    expect(existsSync(leased.path)).toBe(true);
    expect(existsSync(a)).toBe(false);
    leased.release();
  });

  it('clear removes what no open image reads, and stale partial files', async () => {
    const cache = new ExportCache(cacheDir());
    await put(cache, id(7), 10);
    const kept = await cache.lookup(id(7));
    await put(cache, id(8), 10);
    const stale = join(cache.dir, `${'9'.repeat(64)}.999999999.abcd.partial`);
    writeFileSync(stale, 'left by a crash');
    const info = await cache.clear();
    expect(info).toMatchObject({ images: 1, bytes: 10 });
    expect(existsSync(stale)).toBe(false);
    kept!.release();
    expect(await cache.clear()).toMatchObject({ images: 0, bytes: 0 });
  });

  it('refuses an ID that is not a full digest', () => {
    const cache = new ExportCache(cacheDir());
    expect(() => cache.pathFor('abc')).toThrow(/full image ID/);
    expect(() => cache.pathFor('../../etc/passwd')).toThrow(/full image ID/);
  });
});
