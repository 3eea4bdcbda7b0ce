// Bad input of every kind gets one clear error naming the file and the problem: no crash, no
// hang, no stack trace. In-process for the many variants; through the CLI for its exit code.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { buildDemoArchive } from '../demo/demo-archive';
import { StrataError } from '../errors';
import { inspectArchive } from '../inspect';
import { loadImage } from '../image/load-image';
import { listLayer } from '../image/layer-view';
import { packTar, type TarItem } from '../tar/pack-tar';
import { containerdLayout, demo, legacyArchive, tempArchive } from '../testing/layouts';

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

async function cli(path: string): Promise<{ code: number; stderr: string }> {
  try {
    await run(process.execPath, ['bin/strata.js', 'inspect', path, '--json'], { timeout: 20_000 });
    return { code: 0, stderr: '' };
  } catch (err) {
    const e = err as { code: number; stderr: string };
    return { code: e.code, stderr: e.stderr };
  }
}

/** A legacy archive whose manifest.json is `manifest` (raw text), with the demo's layers and config. */
async function withManifest(
  manifest: string | Buffer,
  drop: 'layer' | 'config' | null = null,
): Promise<string> {
  const image = await demo();
  const good = JSON.parse(
    (await legacyArchive(image)).length ? JSON.stringify(await manifestOf(image)) : '[]',
  ) as { Config: string; Layers: string[] }[];
  const items: TarItem[] = [];
  image.layers.forEach((layer, i) => {
    if (drop === 'layer' && i === 1) return;
    items.push({ name: good[0]!.Layers[i]!, body: layer });
  });
  if (drop !== 'config') items.push({ name: good[0]!.Config, body: image.config });
  items.push({ name: 'manifest.json', body: manifest });
  return tempArchive(await packTar(items));
}

async function manifestOf(image: Awaited<ReturnType<typeof demo>>) {
  const { createHash } = await import('node:crypto');
  const hex = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
  return [
    {
      Config: `${hex(image.config)}.json`,
      RepoTags: [image.tag],
      Layers: image.layers.map((l) => `${hex(l)}/layer.tar`),
    },
  ];
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

  it('fails cleanly when a gzip layer is cut short', async () => {
    const archive = await containerdLayout(await demo(), true);
    const result = await outcome(tempArchive(archive.subarray(0, 6000)));
    expect(result).toBeInstanceOf(StrataError);
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

  it('refuses a negative size and a size past the end', async () => {
    const tar = await packTar([{ name: 'a', body: 'xyz' }]);
    const negative = Buffer.from(tar);
    negative.fill(0xff, 124, 136);
    fixChecksum(negative, 0);
    expect(await outcome(tempArchive(negative))).toMatchObject({
      message: expect.stringMatching(/unreadable or negative size/),
    });
    const huge = Buffer.from(tar);
    huge.write('77777777777\0', 124, 'latin1');
    fixChecksum(huge, 0);
    expect(await outcome(tempArchive(huge))).toMatchObject({
      message: expect.stringMatching(/truncated: entry "a" needs 8589934591 bytes/),
    });
  });
});

describe('hostile JSON', () => {
  it.each([
    ['empty', '', /"manifest\.json" is not valid JSON/],
    ['an object', '{"Config":"x"}', /manifest\.json: manifest\.json is not a list/],
    [
      'pointing outside the archive',
      '[{"Config":"../../etc/passwd","Layers":[]}]',
      /the image config "\.\.\/\.\.\/etc\/passwd" is missing/,
    ],
    [
      '100 MB',
      Buffer.alloc(100 * 1024 * 1024, 0x20),
      /"manifest\.json" is 104857600 bytes, over the limit of 4194304 bytes of one JSON document .*STRATA_LIMIT_JSON_BYTES=N/,
    ],
  ])('manifest.json %s', async (_name, manifest, message) => {
    expect(await outcome(await withManifest(manifest))).toMatchObject({
      message: expect.stringMatching(message),
    });
  });

  it('a layer missing, a config missing', async () => {
    const image = await demo();
    const good = JSON.stringify(await manifestOf(image));
    expect(await outcome(await withManifest(good, 'layer'))).toMatchObject({
      message: expect.stringMatching(/layer 1 \(".*\/layer\.tar"\) is missing from the archive/),
    });
    expect(await outcome(await withManifest(good, 'config'))).toMatchObject({
      message: expect.stringMatching(/the image config ".*\.json" is missing/),
    });
  });

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

describe('hostile entries', () => {
  async function oneLayer(items: TarItem[]): Promise<string> {
    const image = await demo();
    const layer = await packTar(items);
    const config = JSON.parse(image.config) as {
      rootfs: { diff_ids: string[] };
      history: unknown[];
    };
    const { createHash } = await import('node:crypto');
    config.rootfs.diff_ids = [`sha256:${createHash('sha256').update(layer).digest('hex')}`];
    config.history = [];
    return tempArchive(
      await legacyArchive({ ...image, layers: [layer], config: JSON.stringify(config) }),
    );
  }

  it('a path 10,001 levels deep is refused with the limit named', async () => {
    const deep = Array.from({ length: 10_001 }, () => 'd').join('/');
    expect(await outcome(await oneLayer([{ name: `${deep}/f`, body: 'x' }]))).toMatchObject({
      code: 'limit',
      message: expect.stringMatching(
        /directories deep is over the limit of 10000 .*STRATA_LIMIT_PATH_DEPTH=N/,
      ),
    });
  });

  it('names climbing out and absolute names are read inside the root, with a warning', async () => {
    const path = await oneLayer([
      { name: '../../etc/evil', body: 'x' },
      { name: '/abs', body: 'y' },
    ]);
    const result = await inspectArchive(path);
    expect(result.warnings.join('\n')).toMatch(/climbs above the root; read as \/etc\/evil/);
  });

  it('a hardlink to a directory or to nothing is flagged', async () => {
    const path = await oneLayer([
      { name: 'd/', type: 'directory' },
      { name: 'to-dir', type: 'link', linkname: 'd' },
      { name: 'to-nothing', type: 'link', linkname: 'missing' },
    ]);
    const warnings = (await inspectArchive(path)).warnings.join('\n');
    expect(warnings).toMatch(/the hardlink \/to-dir points to the directory \/d/);
    expect(warnings).toMatch(/the hardlink \/to-nothing points to \/missing, which does not exist/);
  });

  it('a zstd bomb stops at the cap set by its compressed size', async () => {
    const image = await demo();
    // 256 MiB of zeros squeezed by zstd into a few kilobytes: far past any real layer's ratio
    const { execSync } = await import('node:child_process');
    const bomb = execSync('head -c 268435456 /dev/zero | zstd -q -3 -c', { maxBuffer: 1 << 20 });
    const { createHash } = await import('node:crypto');
    const config = JSON.parse(image.config) as {
      rootfs: { diff_ids: string[] };
      history: unknown[];
    };
    config.rootfs.diff_ids = [`sha256:${createHash('sha256').update('x').digest('hex')}`];
    config.history = [];
    const path = tempArchive(
      await legacyArchive({ ...image, layers: [bomb], config: JSON.stringify(config) }),
    );
    expect(await outcome(path)).toMatchObject({
      code: 'limit',
      message: expect.stringMatching(
        /the layer decompresses to more than \d+ bytes, over the limit of 2000 decompressed bytes per compressed byte of a layer; raise it with STRATA_LIMIT_DECOMPRESSION_RATIO=N/,
      ),
    });
  });
});

describe('the CLI on bad input', () => {
  it('exits 2 with one line naming the file, never a stack trace', async () => {
    const archive = await buildDemoArchive();
    const cases = [
      tempArchive(archive.subarray(0, 5000)),
      await withManifest('{"Config":"x"}'),
      tempArchive(Buffer.from('not an archive at all')),
      '/does/not/exist.tar',
    ];
    for (const path of cases) {
      const { code, stderr } = await cli(path);
      expect(code, path).toBe(2);
      expect(stderr.trim().split('\n'), path).toHaveLength(1);
      expect(stderr).toMatch(new RegExp(`^strata: ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
      expect(stderr).not.toMatch(/\n\s+at /);
    }
  });
});

function fixChecksum(tar: Buffer, at: number): void {
  tar.fill(0x20, at + 148, at + 156);
  let sum = 0;
  for (let i = at; i < at + 512; i++) sum += tar[i]!;
  tar.write(sum.toString(8).padStart(6, '0') + '\0 ', at + 148, 'latin1');
}
