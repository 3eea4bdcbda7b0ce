// `strata cat` returns the bytes the engine has at a path: compared with the `docker export`
// of a created container of `edge` (read with tar-stream), following links as a container
// would. In-process through the core (resolveFile + openContent) for every archive form, and
// once through the built CLI.
import { buffer } from 'node:stream/consumers';
import { beforeAll, describe, expect, it } from 'vitest';
import { treeAt } from '../src-main/core/image/layer-view';
import { loadImage } from '../src-main/core/image/load-image';
import { openContent, resolveFile } from '../src-main/core/image/read-file';
import { EDGE_LONG_PATH } from './fixtures/images/edge';
import { fixturePaths, type FixtureFiles } from './fixtures';
import { strataCli } from './fixtures/strata-reader';
import { readTarListing, type TarListing } from './fixtures/tar-listing';

/** Path asked for -> the file whose bytes the export holds for it. */
const CASES: Record<string, string> = {
  // A config rewritten by a later layer (layer 4).
  '/srv/app.conf': '/srv/app.conf',
  // A file inside a directory with a non-ASCII name, and a non-ASCII file name.
  '/srv/café/naïve.txt': '/srv/café/naïve.txt',
  '/srv/日本.txt': '/srv/日本.txt',
  // Through an absolute symlink (/srv/app.conf). The relative one is below: a known bug.
  '/srv/links/absolute': '/srv/app.conf',
  '/srv/links/relative': '/srv/app.conf',
  // Through a symlink to a directory, in the middle of the path.
  '/srv/links/cafe-dir/naïve.txt': '/srv/café/naïve.txt',
  // A hardlink within a layer: the export writes hard-b as a link to hard-a.
  '/srv/links/hard-b': '/srv/links/hard-a',
  // A hardlink and a symlink to a path over 100 bytes.
  '/srv/deep/long-hardlink': EDGE_LONG_PATH,
  '/srv/deep/long-target': EDGE_LONG_PATH,
  // The copy the engine wrote for a hardlink to a file of a lower layer.
  '/srv/links/hard-lower': '/srv/linked.txt',
  // A file in a directory whose name has a space.
  '/srv/with space/file name.txt': '/srv/with space/file name.txt',
  // A large file from the base layer (about 2 MB).
  '/bin/busybox': '/bin/busybox',
};

describe('edge: cat gives the bytes the engine has', () => {
  let files: FixtureFiles;
  let exported: TarListing;

  beforeAll(async () => {
    files = fixturePaths().fixtures.edge;
    const wanted = new Set(Object.values(CASES));
    exported = await readTarListing(files.export, (path) => wanted.has(path));
  });

  it('the export links the way the cases assume', () => {
    expect(exported.entries.get('/srv/links/hard-b')).toMatchObject({
      type: 'hardlink',
      linkTarget: '/srv/links/hard-a',
    });
    expect(exported.entries.get('/srv/deep/long-hardlink')).toMatchObject({
      type: 'hardlink',
      linkTarget: EDGE_LONG_PATH,
    });
    expect(exported.entries.get('/srv/deep/long-target')).toMatchObject({
      type: 'symlink',
      linkTarget: EDGE_LONG_PATH,
    });
    expect(exported.entries.get('/srv/links/relative')?.linkTarget).toBe('../app.conf');
  });

  it.each(['archive', 'ociGzip', 'ociZstd', 'archiveGz'] as const)(
    'in-process, from %s',
    async (form) => {
      const model = await loadImage(files[form]);
      try {
        const tree = treeAt(model, model.indexes.length - 1);
        for (const [path, source] of Object.entries(CASES)) {
          const placed = resolveFile(tree, path, files[form]);
          const bytes = await buffer(openContent(model, placed));
          const want = exported.contents.get(source);
          expect(want, `export holds ${source}`).toBeDefined();
          expect(bytes.equals(want!), `${path} (${form})`).toBe(true);
        }
      } finally {
        await model.close();
      }
    },
  );

  // KNOWN BUG (reported; src-main/core/image/read-file.ts): a relative symlink target with `..`
  // (/srv/links/relative -> ../app.conf) resolves to the root, because normalizeEntryPath()
  // answers 'escapes' for any `..`, which resolveFile() turns into `/`: "is a dir, not a file".
  // The engine (and a container) reads /srv/app.conf. When this starts passing, move the case
  // into CASES above and drop this test.
  it('through the CLI: strata cat of a non-ASCII path in the zstd OCI archive', async () => {
    const bytes = await strataCli(['cat', files.ociZstd, '/srv/café/naïve.txt']);
    expect(bytes.toString('utf8')).toBe('naïve\n');
    expect(bytes.equals(exported.contents.get('/srv/café/naïve.txt')!)).toBe(true);
  });

  it('through the CLI: strata cat of an earlier layer sees the config as it was', async () => {
    // Layer 3 comes before the RUN that rewrites app.conf: the COPY'd content.
    const bytes = await strataCli(['cat', files.archive, '/srv/app.conf', '--layer', '3']);
    expect(bytes.toString('utf8')).toBe('mode = development\n');
  });
});
