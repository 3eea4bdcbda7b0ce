// Bad input of every kind gets one clear error naming the file and the problem: no crash, no
// hang, no stack trace. In-process for the many variants; through the CLI for its exit code.
// The cases live in testing/malformed-cases.ts: the UI's spec (e2e/malformed.spec.ts) opens them too.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { buildDemoArchive } from '../demo/demo-archive';
import { StrataError } from '../errors';
import { inspectArchive } from '../inspect';
import { loadImage } from '../image/load-image';
import { listLayer } from '../image/layer-view';
import { demo, legacyArchive, tempArchive } from '../testing/layouts';
import {
  headerOnlyEntriesWithBodies,
  MALFORMED_CASES,
  WARNING_CASES,
  withLayers,
  wrongDiffIdArchive,
} from '../testing/malformed-cases';
import { manyEntriesArchive } from '../testing/many-entries';

const run = promisify(execFile);
const PER_INPUT_MS = 5000;

/** Opens `path` fully (inspect and the final listing); resolves to the error it gives, if any. */
async function outcome(path: string): Promise<StrataError | 'ok'> {
  const timer = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error(`hang: ${path}`)), PER_INPUT_MS),
  );
  const work = (async () => {
    const model = await loadImage(path);
    try {
      listLayer(model, model.indexes.length - 1);
      return 'ok' as const;
    } finally {
      await model.close();
    }
  })();
  try {
    return await Promise.race([work, timer]);
  } catch (err) {
    if (err instanceof StrataError) return err;
    throw err; // anything else is a crash the suite exists to find
  }
}

async function cli(
  path: string,
  { timeout = 20_000, env = {} }: { timeout?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout } = await run(process.execPath, ['bin/strata.js', 'inspect', path, '--json'], {
      timeout,
      env: { ...process.env, ...env },
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr: '' };
  } catch (err) {
    const e = err as { code: number; stderr: string };
    return { code: e.code, stdout: '', stderr: e.stderr };
  }
}

describe('a truncated archive', () => {
  it('fails cleanly at every 512-byte boundary', async () => {
    const archive = await buildDemoArchive();
    const failures = new Map<string, number>();
    // Cuts after manifest.json lose only `repositories`, which no reader needs.
    const complete = archive.indexOf(Buffer.from('repositories\0'));
    for (let cut = 0; cut < complete; cut += 512) {
      const result = await outcome(tempArchive(archive.subarray(0, cut)));
      expect(result, `cut at ${cut}`).not.toBe('ok');
      const message = (result as StrataError).message;
      expect(message).toMatch(/archive\.tar: /);
      const kind = message.replace(/.*archive\.tar: /, '').replace(/[\d"].*/, '');
      failures.set(kind, (failures.get(kind) ?? 0) + 1);
    }
    // every cut names what is missing: a truncated entry, or a manifest that was never reached
    expect(
      [...failures.keys()].every((k) =>
        /truncated|not an image archive|empty|not a tar archive|missing/.test(k),
      ),
    ).toBe(true);
  });
});

describe('damaged headers', () => {
  it('never crashes on bit flips in header blocks', async () => {
    const archive = await buildDemoArchive();
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let trial = 0; trial < 150; trial++) {
      const copy = Buffer.from(archive);
      const block = Math.floor(random() * (copy.length / 512));
      const byte = block * 512 + Math.floor(random() * 512);
      copy[byte] = copy[byte]! ^ (1 << Math.floor(random() * 8));
      await outcome(tempArchive(copy)); // a StrataError or a (different) valid reading: never a crash
    }
  });
});

describe('archives that cannot be read', () => {
  // The same cases the UI's banner spec opens (e2e/malformed.spec.ts).
  it.each(MALFORMED_CASES)('$name', { timeout: 30_000 }, async (c) => {
    const path = await c.build();
    const result = await outcome(path);
    expect(result).toBeInstanceOf(StrataError);
    expect(result).toMatchObject({
      message: expect.stringMatching(c.message),
      ...(c.code ? { code: c.code } : {}),
    });
  });
});

describe('hostile JSON', () => {
  it('labels named __proto__ stay plain data', async () => {
    const image = await demo();
    const config = JSON.parse(image.config) as { config: { Labels: Record<string, string> } };
    config.config.Labels = JSON.parse('{"__proto__":"x","constructor":"y"}') as Record<
      string,
      string
    >;
    const result = await inspectArchive(
      tempArchive(await legacyArchive({ ...image, config: JSON.stringify(config) })),
    );
    expect(Object.keys(result.image.config.labels)).toEqual(['__proto__', 'constructor']);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});

describe('archives that read with warnings', () => {
  // The same cases the UI's warning spec opens (e2e/malformed.spec.ts).
  it.each(WARNING_CASES)('$name', async (c) => {
    const warnings = (await inspectArchive(await c.build())).warnings;
    for (const pattern of c.warnings) expect(warnings.join('\n')).toMatch(pattern);
  });

  it('the diff ID warning names the layer whose content does not match', async () => {
    const { path, layer } = await wrongDiffIdArchive();
    const warnings = (await inspectArchive(path)).warnings;
    expect(warnings).toEqual([
      expect.stringMatching(new RegExp(`^layer ${layer}: its content does not match its diff ID`)),
    ]);
  });
});

describe('the CLI on bad input', () => {
  it(
    'exits 2 with one line naming the file, never a stack trace',
    { timeout: 120_000 },
    async () => {
      const cases = [
        ...(await Promise.all(MALFORMED_CASES.map((c) => c.build()))),
        '/does/not/exist.tar',
      ];
      for (const path of cases) {
        const { code, stderr } = await cli(path);
        expect(code, path).toBe(2);
        expect(stderr.trim().split('\n'), path).toHaveLength(1);
        expect(stderr).toMatch(
          new RegExp(`^strata: ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`),
        );
        expect(stderr).not.toMatch(/\n\s+at /);
      }
    },
  );
});

describe('a directory and a symlink that claim a size', () => {
  it('are read in step, the same from a plain layer and a gzip one (their bodies skipped)', async () => {
    const patched = await headerOnlyEntriesWithBodies();
    const listed = [];
    for (const layer of [patched, gzipSync(patched)]) {
      const model = await loadImage(await withLayers([layer]));
      try {
        listed.push(listLayer(model, 0).map((e) => [e.path, e.type, e.size]));
      } finally {
        await model.close();
      }
    }
    expect(listed[0]).toEqual([
      ['/after', 'file', 2],
      ['/d', 'dir', 0],
      ['/d/l', 'symlink', 0],
    ]);
    expect(listed[1]).toEqual(listed[0]);
  });
});

describe('a million tiny entries', () => {
  let dir = '';
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it(
    'are read by the CLI in bounded time, or refused at the entry limit with how to raise it',
    { timeout: 600_000 },
    async () => {
      dir = mkdtempSync(join(tmpdir(), 'strata-million-'));
      const path = join(dir, 'million.tar');
      manyEntriesArchive(path, 1_000_000);
      const read = await cli(path, { timeout: 300_000 });
      expect(read.stderr).toBe('');
      expect(read.code).toBe(0);
      expect((JSON.parse(read.stdout) as { totals: { files: number } }).totals.files).toBe(
        1_000_000 + 1_000, // the files and their thousand directories
      );
      const refused = await cli(path, { env: { STRATA_LIMIT_ENTRIES_PER_LAYER: '100000' } });
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(
        /100001 entries is over the limit of 100000 entries in one layer; raise it with STRATA_LIMIT_ENTRIES_PER_LAYER=N/,
      );
    },
  );
});
