// What each layer of `basic` and `edge` added, modified and removed, worked out by hand from
// their Dockerfiles (e2e/fixtures/images/) with DESIGN.md's rules: a directory counts on its
// own type, mode, uid and gid (never its mtime nor its children), and a path a layer writes
// again identically is unchanged. The engine writes every parent directory of a change again
// (with a new mtime): those rewrites are unchanged, and the comments say so.
import { execFileSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Change } from '../src-main/api/model';
import { busyboxPath } from './fixtures/base-root';
import { EDGE_LONG_NAME, EDGE_LONG_PATH } from './fixtures/images/edge';
import { fixturePaths, type FixtureName } from './fixtures';
import { readStrataView, type StrataView } from './fixtures/strata-reader';

interface Expected {
  added?: string[];
  modified?: string[];
  removed?: string[];
}

/**
 * `busybox --install -s /bin` makes one symlink in /bin per applet of the busybox the base was
 * built from, but none for `busybox` itself, which is there already (a file).
 */
function busyboxLinks(): string[] {
  const applets = execFileSync(busyboxPath(), ['--list'], { encoding: 'utf8' })
    .split('\n')
    .filter((name) => name !== '' && name !== 'busybox');
  return applets.map((name) => `/bin/${name}`);
}

/** The base root (base-root.ts) and the busybox install: the first two layers of every fixture. */
function baseLayers(): Expected[] {
  return [
    // 0, import of the base root: every path is new.
    { added: ['/bin', '/bin/busybox', '/etc', '/root', '/tmp', '/usr', '/usr/bin'] },
    // 1, RUN busybox --install -s /bin: the applet symlinks; /bin rewritten, unchanged.
    { added: busyboxLinks() },
  ];
}

const BASIC: Expected[] = [
  ...baseLayers(),
  // 2, COPY app/ /app/: /app and its context, all new.
  { added: ['/app', '/app/README.md', '/app/config', '/app/config/app.conf'] },
  // 3, COPY big.bin /app/data/big.bin: /app rewritten (unchanged); /app/data is new.
  { added: ['/app/data', '/app/data/big.bin'] },
  // ENV, WORKDIR /app (exists), LABEL: no layer.
  // 4, RUN mkdir -p /opt/tool/… && …: /opt and the whole tool tree (the symlink, the hardlink
  // VERSION.link), and /app/run.txt; /app rewritten (unchanged).
  {
    added: [
      '/app/run.txt',
      '/opt',
      '/opt/tool',
      '/opt/tool/VERSION',
      '/opt/tool/VERSION.link',
      '/opt/tool/bin',
      '/opt/tool/bin/tool',
      '/opt/tool/lib',
      '/opt/tool/lib/libtool.so',
      '/opt/tool/lib/libtool.so.1',
    ],
  },
  // 5, RUN rm /app/data/big.bin && rm -rf /opt/tool: the file, and the directory with its 8
  // descendants (one whiteout, .wh.tool, removes them all); /app, /app/data, /opt rewritten.
  {
    removed: [
      '/app/data/big.bin',
      '/opt/tool',
      '/opt/tool/VERSION',
      '/opt/tool/VERSION.link',
      '/opt/tool/bin',
      '/opt/tool/bin/tool',
      '/opt/tool/lib',
      '/opt/tool/lib/libtool.so',
      '/opt/tool/lib/libtool.so.1',
    ],
  },
  // 6, RUN echo … > /app/config/app.conf: new content (30 bytes instead of 31); /app and
  // /app/config rewritten, unchanged.
  { modified: ['/app/config/app.conf'] },
  // 7, RUN the long line: /srv, four directories with a README each, LONG.txt, listing.txt.
  // EXPOSE, ENTRYPOINT, CMD: no layer.
  {
    added: [
      '/srv',
      '/srv/LONG.txt',
      '/srv/alpha',
      '/srv/alpha/README',
      '/srv/beta',
      '/srv/beta/README',
      '/srv/delta',
      '/srv/delta/README',
      '/srv/gamma',
      '/srv/gamma/README',
      '/srv/listing.txt',
    ],
  },
];

const D40 = 'd'.repeat(40);
const E40 = 'e'.repeat(40);

const EDGE: Expected[] = [
  ...baseLayers(),
  // 2, COPY srv/ /srv/: /srv and the 15 paths of the context (directories included), new.
  {
    added: [
      '/srv',
      '/srv/app.conf',
      '/srv/became-dir',
      '/srv/became-file',
      '/srv/became-file/inner.txt',
      '/srv/chmod-me.sh',
      '/srv/linked.txt',
      '/srv/remove-me.txt',
      '/srv/tree',
      '/srv/tree/a.txt',
      '/srv/tree/old',
      '/srv/tree/old/c.txt',
      '/srv/tree/sub',
      '/srv/tree/sub/b.txt',
      '/srv/with space',
      '/srv/with space/file name.txt',
    ],
  },
  // 3, COPY big.bin /blob/big.bin: /blob and the 5 MiB file.
  { added: ['/blob', '/blob/big.bin'] },
  // ENV, WORKDIR /srv (exists), LABEL: no layer.
  // 4, RUN echo … > app.conf && rm remove-me.txt && chmod 755 chmod-me.sh: app.conf has new
  // content; chmod-me.sh is written again with the same bytes and mode 755 instead of 644
  // (modified on its mode alone); remove-me.txt removed; /srv rewritten, unchanged.
  {
    modified: ['/srv/app.conf', '/srv/chmod-me.sh'],
    removed: ['/srv/remove-me.txt'],
  },
  // 5, RUN rm -rf /srv/tree && mkdir -p /srv/tree/sub && …: /srv/tree and /srv/tree/sub exist
  // before and after with the same attributes (unchanged, whatever happened in between); a.txt
  // and old/ (with c.txt) are gone; sub/b.txt comes back with other content (modified);
  // new.txt is new. /srv rewritten, unchanged.
  {
    added: ['/srv/tree/new.txt'],
    modified: ['/srv/tree/sub/b.txt'],
    removed: ['/srv/tree/a.txt', '/srv/tree/old', '/srv/tree/old/c.txt'],
  },
  // 6, RUN …: became-dir was a file and is a directory (modified: type), with the new
  // inside.txt; became-file was a directory and is a file (modified: type), which takes its
  // child inner.txt away (removed). /srv rewritten, unchanged.
  {
    added: ['/srv/became-dir/inside.txt'],
    modified: ['/srv/became-dir', '/srv/became-file'],
    removed: ['/srv/became-file/inner.txt'],
  },
  // 7, RUN mkdir /srv/links && …: the directory, four symlinks (cafe-dir points to a directory
  // that only layer 8 makes), the hardlink pair hard-a and
  // hard-b, and hard-lower (a hardlink to /srv/linked.txt of layer 2, which the engine writes
  // as a regular file: linked.txt itself is not written, so it is unchanged).
  {
    added: [
      '/srv/links',
      '/srv/links/absolute',
      '/srv/links/cafe-dir',
      '/srv/links/dangling',
      '/srv/links/hard-a',
      '/srv/links/hard-b',
      '/srv/links/hard-lower',
      '/srv/links/relative',
    ],
  },
  // 8, RUN printf … > suid-tool && chmod 4755 … && mkfifo … && …: the setuid file, the FIFO,
  // café/ with naïve.txt, 日本.txt, owned.txt (1234:5678).
  {
    added: [
      '/srv/café',
      '/srv/café/naïve.txt',
      '/srv/fifo',
      '/srv/owned.txt',
      '/srv/suid-tool',
      '/srv/日本.txt',
    ],
  },
  // 9, RUN mkdir -p /srv/deep/D40/E40 && …: three directories, the file at a 113-byte path,
  // the file with a 124-byte name, a symlink and a hardlink to the long path.
  {
    added: [
      '/srv/deep',
      `/srv/deep/${D40}`,
      `/srv/deep/${D40}/${E40}`,
      EDGE_LONG_PATH,
      '/srv/deep/long-hardlink',
      '/srv/deep/long-target',
      EDGE_LONG_NAME,
    ],
  },
  // 10, RUN rm /blob/big.bin: the file; /blob rewritten, unchanged (it stays, empty).
  { removed: ['/blob/big.bin'] },
  // 11, RUN touch /srv/linked.txt: the same bytes, a newer mtime. The engine writes the file
  // again (and /srv), Strata sees nothing changed: a layer with no changes, 40 bytes stored.
  {},
  // RUN true (no change at all) and CMD: no layer.
];

const EXPECTED: Partial<Record<FixtureName, Expected[]>> = { basic: BASIC, edge: EDGE };

describe.each(Object.keys(EXPECTED) as FixtureName[])('%s: changes per layer', (name) => {
  let view: StrataView;
  const expected = EXPECTED[name]!;

  beforeAll(async () => {
    view = await readStrataView(fixturePaths().fixtures[name].archive);
  });

  it('has the layers the Dockerfile makes', () => {
    expect(view.inspect.layers).toHaveLength(expected.length);
  });

  it.each(expected.map((e, i) => [i, e] as const))('layer %i', (i, want) => {
    const layer = view.inspect.layers[i]!;
    const sorted = (paths: string[] | undefined): string[] =>
      [...(paths ?? [])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const changed = (change: Change): string[] =>
      view.layers[i]!.filter((e) => e.change === change).map((e) => e.path);
    expect(changed('added'), `layer ${i} added (${layer.command})`).toEqual(sorted(want.added));
    expect(changed('modified'), `layer ${i} modified`).toEqual(sorted(want.modified));
    expect(changed('removed'), `layer ${i} removed`).toEqual(sorted(want.removed));
    expect({ added: layer.added, modified: layer.modified, removed: layer.removed }).toEqual({
      added: want.added?.length ?? 0,
      modified: want.modified?.length ?? 0,
      removed: want.removed?.length ?? 0,
    });
  });
});

describe('edge: what the engine did with the odd steps', () => {
  let view: StrataView;

  beforeAll(async () => {
    view = await readStrataView(fixturePaths().fixtures.edge.archive);
  });

  it('records metadata steps and a RUN that changes nothing as empty layers', () => {
    const empty = view.inspect.history.filter((s) => s.emptyLayer).map((s) => s.command);
    expect(empty).toEqual([
      '/bin/sh -c #(nop)  ENV EDGE_FIXTURE=1 LANG=C.UTF-8',
      '/bin/sh -c #(nop) WORKDIR /srv',
      '/bin/sh -c #(nop)  LABEL com.example.fixture=edge',
      '/bin/sh -c true',
      '/bin/sh -c #(nop)  CMD ["/bin/sh"]',
    ]);
  });

  it('stores the touched file again in a layer that changes nothing', () => {
    const last = view.inspect.layers.at(-1)!;
    expect(last.command).toBe('/bin/sh -c touch /srv/linked.txt');
    expect(last.size).toBe('a hardlink in a later layer points here\n'.length);
  });

  it('writes a hardlink to a lower layer as a regular file, one within a layer as a link', () => {
    const links = new Map(view.layers[7]!.map((e) => [e.path, e]));
    expect(links.get('/srv/links/hard-lower')).toMatchObject({ type: 'file', size: 40 });
    expect(links.get('/srv/links/hard-b')).toMatchObject({
      type: 'hardlink',
      linkTarget: '/srv/links/hard-a',
    });
  });

  it('keeps setuid, owners and the FIFO', () => {
    const final = new Map(view.layers.at(-1)!.map((e) => [e.path, e]));
    expect(final.get('/srv/suid-tool')).toMatchObject({ type: 'file', mode: 0o4755 });
    expect(final.get('/srv/owned.txt')).toMatchObject({ uid: 1234, gid: 5678 });
    expect(final.get('/srv/fifo')).toMatchObject({ type: 'fifo', size: 0 });
    expect(final.get('/srv/chmod-me.sh')).toMatchObject({ mode: 0o755 });
  });
});
