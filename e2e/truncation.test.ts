// Truncation at every 512-byte boundary of a real archive: the engine-built tiny fixture as
// `docker save` wrote it, cut shorter and shorter in place (one copy, truncated step by step).
// Every cut either reads as the whole archive does (only trailing metadata was lost) or fails
// with one clear error naming the file: never another exception, never a hang.
import { copyFileSync, mkdtempSync, rmSync, statSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { StrataError } from '../src-main/core/errors';
import { summarize } from '../src-main/core/inspect';
import { loadImage } from '../src-main/core/image/load-image';
import { fixturePaths } from './fixtures';

const PER_CUT_MS = 5_000;

async function read(path: string): Promise<unknown> {
  const timer = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error(`hang: ${path}`)), PER_CUT_MS),
  );
  const work = (async () => {
    const model = await loadImage(path, { store: null });
    try {
      return summarize(model);
    } finally {
      await model.close();
    }
  })();
  return Promise.race([work, timer]);
}

describe('a real docker save archive cut at every 512-byte boundary', () => {
  const dir = mkdtempSync(join(tmpdir(), 'strata-truncation-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads whole or fails with one clear error at every cut', { timeout: 300_000 }, async () => {
    const path = join(dir, 'tiny.tar');
    copyFileSync(fixturePaths().fixtures.tiny.archive, path);
    const whole = await read(path);
    const kinds = new Map<string, number>();
    let reads = 0;
    for (let cut = statSync(path).size - 512; cut >= 0; cut -= 512) {
      truncateSync(path, cut);
      try {
        expect(await read(path), `cut at ${cut}`).toEqual(whole);
        reads++;
      } catch (err) {
        if (!(err instanceof StrataError)) throw new Error(`cut at ${cut}: ${String(err)}`);
        expect(err.message, `cut at ${cut}`).toMatch(/^\S*tiny\.tar: /);
        const kind = err.message.replace(/^\S*tiny\.tar: /, '').replace(/[\d"(].*/s, '');
        kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
      }
    }
    // Only a cut into the trailing metadata no reader needs still reads.
    expect(reads).toBeLessThan(10);
    for (const kind of kinds.keys())
      expect(kind).toMatch(/^(truncated: |not an image archive|the archive is empty)/);
  });
});
