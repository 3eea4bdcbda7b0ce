// Test-only: the hostile archives of the malformed-input suite (robustness/malformed.test.ts),
// built here so the UI's banner spec (e2e/malformed.spec.ts) opens exactly the same ones. Each
// case writes its archive to a fresh temp file and says what the error (or warning) must say.
import { execSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { buildDemoArchive, type DemoImage } from '../demo/demo-archive';
import { packTar, type TarItem } from '../tar/pack-tar';
import { containerdLayout, demo, legacyArchive, tempArchive } from './layouts';

const hex = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');

/** The demo image's manifest.json entry, as `docker save` writes it. */
export function manifestOf(
  image: DemoImage,
): { Config: string; RepoTags: string[]; Layers: string[] }[] {
  return [
    {
      Config: `${hex(image.config)}.json`,
      RepoTags: [image.tag],
      Layers: image.layers.map((l) => `${hex(l)}/layer.tar`),
    },
  ];
}

/** A legacy archive whose manifest.json is `manifest` (raw text), with the demo's layers and config. */
export async function withManifest(
  manifest: string | Buffer,
  drop: 'layer' | 'config' | null = null,
): Promise<string> {
  const image = await demo();
  const good = manifestOf(image);
  const items: TarItem[] = [];
  image.layers.forEach((layer, i) => {
    if (drop === 'layer' && i === 1) return;
    items.push({ name: good[0]!.Layers[i]!, body: layer });
  });
  if (drop !== 'config') items.push({ name: good[0]!.Config, body: image.config });
  items.push({ name: 'manifest.json', body: manifest });
  return tempArchive(await packTar(items));
}

/** The demo image with its layers replaced by `layers` (diff IDs given, or those of the bytes) and no history. */
export async function withLayers(layers: Buffer[], diffIds?: string[]): Promise<string> {
  const image = await demo();
  const config = JSON.parse(image.config) as { rootfs: { diff_ids: string[] }; history: unknown[] };
  config.rootfs.diff_ids = diffIds ?? layers.map((layer) => `sha256:${hex(layer)}`);
  config.history = [];
  return tempArchive(await legacyArchive({ ...image, layers, config: JSON.stringify(config) }));
}

/** A one-layer image made of `items`. */
export async function oneLayer(items: TarItem[]): Promise<string> {
  return withLayers([await packTar(items)]);
}

/** Rewrites the header checksum of the 512-byte block at `at` after an edit. */
export function fixChecksum(tar: Buffer, at: number): void {
  tar.fill(0x20, at + 148, at + 156);
  let sum = 0;
  for (let i = at; i < at + 512; i++) sum += tar[i]!;
  tar.write(sum.toString(8).padStart(6, '0') + '\0 ', at + 148, 'latin1');
}

/** A one-entry tar whose size field is `field` (octal text, NUL-terminated), checksum fixed. */
async function sizeField(edit: (tar: Buffer) => void): Promise<string> {
  const tar = Buffer.from(await packTar([{ name: 'a', body: 'xyz' }]));
  edit(tar);
  fixChecksum(tar, 0);
  return tempArchive(tar);
}

/**
 * A tar whose directory `d/` and symlink `d/l` each claim a 600-byte body, which follows them
 * (two blocks each), then a file `after` holding "ok": a reader must stay in step past both.
 */
export async function headerOnlyEntriesWithBodies(): Promise<Buffer> {
  const tar = await packTar([
    { name: 'd/', type: 'directory' },
    { name: 'd/l', type: 'symlink', linkname: 'x' },
    { name: 'after', body: 'ok' },
  ]);
  const body = Buffer.alloc(1024, 0x41);
  const patched = Buffer.concat([
    tar.subarray(0, 512),
    body,
    tar.subarray(512, 1024),
    body,
    tar.subarray(1024),
  ]);
  for (const at of [0, 1536]) {
    patched.write(`${(600).toString(8).padStart(11, '0')}\0`, at + 124, 'latin1');
    fixChecksum(patched, at);
  }
  return patched;
}

/**
 * The demo image with layer `layer` gzip-compressed and its diff ID in the config wrong: the
 * archive reads, with a warning that the layer's content does not match its diff ID.
 */
export async function wrongDiffIdArchive(layer = 2): Promise<{ path: string; layer: number }> {
  const image = await demo();
  const config = JSON.parse(image.config) as { rootfs: { diff_ids: string[] } };
  config.rootfs.diff_ids[layer] = `sha256:${hex('not the layer')}`;
  const layers = image.layers.map((bytes, i) => (i === layer ? gzipSync(bytes) : bytes));
  const bytes = await legacyArchive({ ...image, layers, config: JSON.stringify(config) });
  return { path: tempArchive(bytes, 'wrong-diff-id.tar'), layer };
}

/**
 * The demo image with layer `at` replaced by other bytes while its config still claims the old
 * diff ID: a hostile archive posing as the trusted one. The default layer holds one file,
 * /usr/lib/backdoor.so, in place of layer 1's /usr/lib/libtiny.so.1.
 */
export async function claimingDiffId(image: DemoImage, at = 1, layer?: Buffer): Promise<DemoImage> {
  layer ??= await packTar([
    { name: 'usr/', type: 'directory' },
    { name: 'usr/lib/', type: 'directory' },
    { name: 'usr/lib/backdoor.so', body: 'not what layer 1 holds' },
  ]);
  return { ...image, layers: image.layers.map((l, i) => (i === at ? layer : l)) };
}

/** An archive that cannot be read: what it is, how to build it, what the one error says. */
export interface MalformedCase {
  name: string;
  build: () => Promise<string>;
  /** The error's message (after the file's path or name). */
  message: RegExp;
  /** StrataError's code, when the case pins it. */
  code?: string;
  /** Too large to upload in a UI test quickly: opened there by path instead. */
  large?: boolean;
}

/** Archives the reader must refuse with one clear error. */
export const MALFORMED_CASES: MalformedCase[] = [
  {
    name: 'an archive cut short inside a layer',
    build: async () => tempArchive((await buildDemoArchive()).subarray(0, 5000)),
    message: /truncated: entry ".*\/layer\.tar" needs \d+ bytes, the archive ends first/,
  },
  {
    name: 'an OCI archive cut short inside a gzip layer',
    build: async () => tempArchive((await containerdLayout(await demo(), true)).subarray(0, 6000)),
    message: /truncated: entry "blobs\/sha256\/[0-9a-f]{64}" needs \d+ bytes/,
  },
  {
    name: 'not an archive at all',
    build: async () => tempArchive(Buffer.from('not an archive at all')),
    message: /not a tar archive|not an image archive/,
  },
  {
    name: 'a bad header checksum',
    build: async () => {
      const tar = Buffer.from(await buildDemoArchive());
      tar[3] = tar[3]! ^ 0x01; // a flip in the first entry's name; its checksum no longer adds up
      return tempArchive(tar);
    },
    message: /invalid tar header: bad header checksum/,
  },
  {
    name: 'a negative size',
    build: () => sizeField((tar) => tar.fill(0xff, 124, 136)),
    message: /unreadable or negative size/,
  },
  {
    name: 'a size past the end',
    build: () => sizeField((tar) => tar.write('77777777777\0', 124, 'latin1')),
    message: /truncated: entry "a" needs 8589934591 bytes/,
  },
  {
    name: 'manifest.json empty',
    build: () => withManifest(''),
    message: /"manifest\.json" is not valid JSON/,
  },
  {
    name: 'manifest.json an object',
    build: () => withManifest('{"Config":"x"}'),
    message: /manifest\.json: manifest\.json is not a list/,
  },
  {
    name: 'manifest.json pointing outside the archive',
    build: () => withManifest('[{"Config":"../../etc/passwd","Layers":[]}]'),
    message: /the image config "\.\.\/\.\.\/etc\/passwd" is missing/,
  },
  {
    name: 'manifest.json of 100 MB',
    build: () => withManifest(Buffer.alloc(100 * 1024 * 1024, 0x20)),
    message:
      /"manifest\.json" is 104857600 bytes, over the limit of 4194304 bytes of one JSON document .*STRATA_LIMIT_JSON_BYTES=N/,
    code: 'limit',
    large: true,
  },
  {
    name: 'a layer missing',
    build: async () => withManifest(JSON.stringify(manifestOf(await demo())), 'layer'),
    message: /layer 1 \(".*\/layer\.tar"\) is missing from the archive/,
  },
  {
    name: 'a config missing',
    build: async () => withManifest(JSON.stringify(manifestOf(await demo())), 'config'),
    message: /the image config ".*\.json" is missing/,
  },
  {
    name: 'a path 10,001 levels deep',
    build: () => {
      const deep = Array.from({ length: 10_001 }, () => 'd').join('/');
      return oneLayer([{ name: `${deep}/f`, body: 'x' }]);
    },
    message: /directories deep is over the limit of 10000 .*STRATA_LIMIT_PATH_DEPTH=N/,
    code: 'limit',
  },
  {
    name: 'a NUL byte in a name (from a PAX record)',
    build: () => oneLayer([{ name: 'plain', body: 'x', pax: { path: 'evil\0name' } }]),
    message: /the entry "evil\\0name" has a NUL byte in its name or link target/,
    code: 'bad-archive',
  },
  {
    name: 'a PAX header over the limit',
    build: () => oneLayer([{ name: 'a', body: 'x', pax: { comment: 'x'.repeat(1024 * 1024) } }]),
    message:
      /an extended header of \d+ bytes is over the limit of 1048576 bytes of one PAX or long-name header; raise it with STRATA_LIMIT_EXTENDED_HEADER_BYTES=N/,
    code: 'limit',
  },
  {
    name: 'a zstd bomb',
    build: () => {
      // 256 MiB of zeros squeezed by zstd into a few kilobytes: far past any real layer's ratio
      const bomb = execSync('head -c 268435456 /dev/zero | zstd -q -3 -c', { maxBuffer: 1 << 20 });
      return withLayers([bomb], [`sha256:${hex('x')}`]);
    },
    message:
      /the layer decompresses to more than \d+ bytes, over the limit of 2000 decompressed bytes per compressed byte of a layer; raise it with STRATA_LIMIT_DECOMPRESSION_RATIO=N/,
    code: 'limit',
  },
];

/** An archive that reads, with warnings: what it is, how to build it, what a warning says. */
export interface WarningCase {
  name: string;
  build: () => Promise<string>;
  /** Every pattern must match one of the warnings. */
  warnings: RegExp[];
}

export const WARNING_CASES: WarningCase[] = [
  {
    name: 'names climbing out of the root, and absolute names',
    build: () =>
      oneLayer([
        { name: '../../etc/evil', body: 'x' },
        { name: '/abs', body: 'y' },
      ]),
    warnings: [/climbs above the root; read as \/etc\/evil/],
  },
  {
    name: 'a hardlink to a directory and one to nothing',
    build: () =>
      oneLayer([
        { name: 'd/', type: 'directory' },
        { name: 'to-dir', type: 'link', linkname: 'd' },
        { name: 'to-nothing', type: 'link', linkname: 'missing' },
      ]),
    warnings: [
      /the hardlink \/to-dir points to the directory \/d/,
      /the hardlink \/to-nothing points to \/missing, which does not exist/,
    ],
  },
  {
    name: 'a name that is not UTF-8',
    build: async () => {
      const tar = Buffer.from(await packTar([{ name: 'cafX', body: 'x' }]));
      tar[tar.indexOf('cafX') + 3] = 0xe9; // Latin-1 é: not UTF-8
      fixChecksum(tar, 0);
      return withLayers([tar]);
    },
    warnings: [/the name "caf\uFFFD" is not valid UTF-8; unreadable bytes show as \uFFFD/],
  },
  {
    name: 'a symlink in one layer and a write through it in the next',
    build: async () =>
      withLayers([
        await packTar([
          { name: 'usr/lib/', type: 'directory' },
          { name: 'lib', type: 'symlink', linkname: 'usr/lib' },
        ]),
        await packTar([{ name: 'lib/evil.so', body: 'x' }]),
      ]),
    warnings: [
      /\/lib\/evil\.so is written through \/lib, which a lower layer made a symlink; it is read as a directory/,
    ],
  },
  {
    name: 'a layer whose content does not match its diff ID',
    build: async () => (await wrongDiffIdArchive()).path,
    warnings: [/its content does not match its diff ID sha256:[0-9a-f]{64}/],
  },
];
