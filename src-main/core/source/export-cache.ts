// The cache of engine exports: one `docker save` archive per image ID, in the OS cache dir, so an
// image opened again is read from disk, not exported again. Bounded in total size (least
// recently used first out), written atomically (`.partial`, renamed only when the export ended
// cleanly and was verified), and an archive an open image still reads is never removed.
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, rm, stat, utimes, type FileHandle } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { StrataError } from '../errors';
import { idHex } from './image-ref';
import { QueuedFileWriter } from './queued-file-writer';
import type { ExportCacheInfo } from '../../api/engine';

export type { ExportCacheInfo };

/** A cached archive in use: it stays until released. */
export interface CacheLease {
  path: string;
  release(): void;
}

/** An archive being written: bytes go in, then commit() or discard(). */
export interface CacheWriter {
  readonly partialPath: string;
  /** Queues the chunk for writing (it must not change afterwards); waits only when much is queued. */
  write(chunk: Buffer): Promise<void>;
  /** Resolves once every chunk given is in the file (readable at partialPath). */
  written(): Promise<void>;
  /** Flushes to disk and makes the archive visible under its ID; returns a lease on it. */
  commit(): Promise<CacheLease>;
  /** Removes the partial file (after a failure or a cancel). */
  discard(): Promise<void>;
}

export const DEFAULT_MAX_BYTES = 20 * 1000 ** 3;
const FINAL = /^([0-9a-f]{64})\.tar$/;
const PARTIAL = /^([0-9a-f]{64})\.(\d+)\.[0-9a-f]+\.partial$/;

/** The OS cache dir for Strata's exports: $XDG_CACHE_HOME/strata (~/.cache/strata) on Linux. */
export function defaultCacheDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = homedir(),
): string {
  if (env.STRATA_CACHE_DIR) return env.STRATA_CACHE_DIR;
  let base: string;
  if (platform === 'darwin') base = join(home, 'Library', 'Caches');
  else if (platform === 'win32') base = env.LOCALAPPDATA || join(home, 'AppData', 'Local');
  else base = env.XDG_CACHE_HOME || join(home, '.cache');
  return join(base, 'strata', 'exports');
}

function maxBytesFromEnv(env: NodeJS.ProcessEnv): number {
  const raw = env.STRATA_CACHE_MAX_BYTES;
  const value = raw ? Number(raw) : NaN;
  return Number.isFinite(value) && value >= 0 ? value : DEFAULT_MAX_BYTES;
}

/** Whether process `pid` still runs (whoever owns it): stale partial files belong to dead ones. */
export function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class ExportCache {
  private readonly leases = new Map<string, number>();

  constructor(
    readonly dir: string,
    readonly maxBytes: number = DEFAULT_MAX_BYTES,
  ) {}

  static fromEnvironment(env: NodeJS.ProcessEnv = process.env): ExportCache {
    return new ExportCache(defaultCacheDir(env), maxBytesFromEnv(env));
  }

  pathFor(imageId: string): string {
    const hex = idHex(imageId);
    if (!/^[0-9a-f]{64}$/.test(hex)) {
      throw new StrataError('bad-request', `"${imageId}" is not a full image ID (sha256:…)`);
    }
    return join(this.dir, `${hex}.tar`);
  }

  /** The cached archive of `imageId`, leased, or null. Marks it most recently used. */
  async lookup(imageId: string): Promise<CacheLease | null> {
    const path = this.pathFor(imageId);
    try {
      const info = await stat(path);
      if (!info.isFile()) return null;
      const now = new Date();
      await utimes(path, now, now);
    } catch {
      return null;
    }
    return this.lease(path);
  }

  /** Removes the archive of `imageId` unless an open image reads it. */
  async remove(imageId: string): Promise<void> {
    const path = this.pathFor(imageId);
    if (!this.leases.has(path)) await rm(path, { force: true });
  }

  /** `onWritten`: told of each chunk once it is in the file (QueuedFileWriter's). */
  async begin(imageId: string, onWritten?: (chunk: Buffer) => void): Promise<CacheWriter> {
    const final = this.pathFor(imageId);
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    await this.removeStalePartials();
    const partialPath = join(
      this.dir,
      `${idHex(imageId)}.${process.pid}.${randomBytes(4).toString('hex')}.partial`,
    );
    const handle: FileHandle = await open(partialPath, 'wx', 0o600);
    const writer = new QueuedFileWriter(handle, undefined, onWritten);
    let closed = false;
    const close = async (): Promise<void> => {
      if (closed) return;
      closed = true;
      await handle.close();
    };
    return {
      partialPath,
      write: (chunk) => writer.write(chunk),
      written: () => writer.drain(),
      commit: async () => {
        await writer.flush();
        await close();
        const existing = await stat(final).catch(() => null);
        if (existing?.isFile()) {
          // Exported twice at once: the first archive stays (an open image may read it by path).
          await rm(partialPath, { force: true });
        } else {
          await rename(partialPath, final);
        }
        const now = new Date();
        await utimes(final, now, now);
        const lease = this.lease(final);
        await this.evict();
        return lease;
      },
      discard: async () => {
        await writer.abandon().catch(() => undefined);
        await close().catch(() => undefined);
        await rm(partialPath, { force: true });
      },
    };
  }

  async info(): Promise<ExportCacheInfo> {
    const entries = await this.entries();
    return {
      dir: this.dir,
      bytes: entries.reduce((sum, e) => sum + e.size, 0),
      images: entries.length,
      maxBytes: this.maxBytes,
    };
  }

  /** Removes every archive no open image reads, and partial files of dead processes. */
  async clear(): Promise<ExportCacheInfo> {
    for (const entry of await this.entries()) {
      if (!this.leases.has(entry.path)) await rm(entry.path, { force: true });
    }
    await this.removeStalePartials();
    return this.info();
  }

  private lease(path: string): CacheLease {
    this.leases.set(path, (this.leases.get(path) ?? 0) + 1);
    let released = false;
    return {
      path,
      release: () => {
        if (released) return;
        released = true;
        const count = (this.leases.get(path) ?? 1) - 1;
        if (count > 0) this.leases.set(path, count);
        else this.leases.delete(path);
      },
    };
  }

  /** Least recently used first out, until the total fits; archives in use stay. */
  private async evict(): Promise<void> {
    const entries = await this.entries();
    let total = entries.reduce((sum, e) => sum + e.size, 0);
    for (const entry of entries.sort((a, b) => a.mtimeMs - b.mtimeMs)) {
      if (total <= this.maxBytes) break;
      if (this.leases.has(entry.path)) continue;
      await rm(entry.path, { force: true });
      total -= entry.size;
    }
  }

  private async entries(): Promise<{ path: string; size: number; mtimeMs: number }[]> {
    const out: { path: string; size: number; mtimeMs: number }[] = [];
    for (const name of await readdir(this.dir).catch(() => [] as string[])) {
      if (!FINAL.test(name)) continue;
      const path = join(this.dir, name);
      const info = await stat(path).catch(() => null);
      if (info?.isFile()) out.push({ path, size: info.size, mtimeMs: info.mtimeMs });
    }
    return out;
  }

  private async removeStalePartials(): Promise<void> {
    for (const name of await readdir(this.dir).catch(() => [] as string[])) {
      const match = PARTIAL.exec(name);
      if (match && !processAlive(Number(match[2]))) {
        await rm(join(this.dir, name), { force: true });
      }
    }
  }
}
