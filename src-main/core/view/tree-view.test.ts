import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadImage, type ImageModel } from '../image/load-image';
import { demoArchivePath } from '../demo/demo-archive';
import { compileFilter, globToRegExp } from './tree-filter';
import { ViewNode, viewTree } from './view-tree';
import type { Placed } from '../tree/merged-tree';
import type { TreeRow } from '../../api/explorer';
import { TreeView } from './tree-view';
import { packTar } from '../tar/pack-tar';
import { withLayers } from '../testing/malformed-cases';

let model: ImageModel;
beforeAll(async () => {
  model = await loadImage(await demoArchivePath());
});
afterAll(() => model.close());

const names = (rows: TreeRow[]): string[] =>
  rows.map(
    (r) => `${'  '.repeat(r.depth)}${r.name}${r.change === 'unchanged' ? '' : ` (${r.change})`}`,
  );

describe('a file view', () => {
  it('lists the root, biggest first, with directory totals', () => {
    const view = new TreeView(model, { layer: 3, mode: 'aggregate', sort: 'size' });
    const rows = view.page(0, 100);
    expect(rows.map((r) => r.name)).toEqual(['bin', 'usr', 'app', 'etc', 'root', 'tmp', 'var']);
    const usr = rows.find((r) => r.name === 'usr')!;
    expect(usr.totalSize).toBe(
      64 * 1024 + 'This image was made by Strata to show how layers stack.\n'.length,
    );
    expect(usr.expanded).toBe(false);
    expect(usr.childCount).toBe(2);
  });

  it('expands and collapses one directory, and everything', () => {
    const view = new TreeView(model, { layer: 3, mode: 'aggregate', sort: 'name' });
    view.setExpanded('/app', true);
    expect(names(view.page(0, 100)).slice(0, 7)).toEqual([
      'app',
      '  data.bin (removed)',
      '  package.json (modified)',
      '  public (modified)',
      '  server.js',
      'bin',
      'etc',
    ]);
    view.setExpanded('/app', false);
    expect(view.total).toBe(7);
    view.expandAll(true);
    expect(view.total).toBe(26 + 3); // the final file system and the 3 paths layer 3 removed
    view.expandAll(false);
    expect(view.total).toBe(7);
  });

  it('shows only what a layer changed, with ancestors for context', () => {
    const view = new TreeView(model, { layer: 3, mode: 'changes', sort: 'name' });
    view.expandAll(true);
    expect(names(view.page(0, 100))).toEqual([
      'app',
      '  data.bin (removed)',
      '  package.json (modified)',
      '  public (modified)',
      '    index.html (modified)',
      '    logo.svg (modified)',
      'var',
      '  cache',
      '    apk',
      '      APKINDEX.tar.gz (removed)',
      '      nodejs-tiny.apk (removed)',
    ]);
  });

  it('filters by substring, glob, regex, change and size, opening the way to every match', () => {
    const rows = (filter: object) =>
      names(
        new TreeView(model, { layer: 3, mode: 'aggregate', sort: 'name', filter }).page(0, 100),
      );
    expect(rows({ text: 'APK' })).toEqual([
      'var',
      '  cache',
      '    apk',
      '      APKINDEX.tar.gz (removed)',
      '      nodejs-tiny.apk (removed)',
    ]);
    expect(rows({ text: '*.svg', kind: 'glob' })).toEqual([
      'app',
      '  public (modified)',
      '    logo.svg (modified)',
    ]);
    expect(rows({ text: '^/etc/(passwd|group)$', kind: 'regex' })).toEqual([
      'etc',
      '  group',
      '  passwd',
    ]);
    expect(rows({ changes: ['modified'], minSize: 100 })).toEqual([
      'app',
      '  package.json (modified)',
      '  public (modified)',
      '    logo.svg (modified)',
    ]);
    expect(() => rows({ text: '(', kind: 'regex' })).toThrow(/not a valid regular expression/);
  });

  it('reveals a path deep in the tree and pages through rows', () => {
    const view = new TreeView(model, { layer: 3, mode: 'aggregate', sort: 'name' });
    const index = view.reveal('/usr/share/doc/README');
    expect(view.page(index, 1)[0]!.path).toBe('/usr/share/doc/README');
    expect(view.page(index, 1)[0]!.depth).toBe(3);
    expect(view.page(2, 2).map((r) => r.name)).toEqual(['etc', 'root']);
  });

  it('matches a substring as both paths in lower case would, whatever the characters', () => {
    const node = (path: string) =>
      new ViewNode(path, path.slice(path.lastIndexOf('/') + 1), {} as Placed, 'unchanged');
    const test = compileFilter({ text: 'K.b' });
    expect(test(node('/x/K.B'))).toBe(true);
    expect(test(node('/x/aK.bc'))).toBe(true);
    expect(test(node('/x/kxb'))).toBe(false); // the dot is a dot
    expect(test(node('/x/\u212a.b'))).toBe(true); // the Kelvin sign is a k in lower case
    expect(test(node('/x/\u00e9/k.B'))).toBe(true);
    expect(test(node('/x/\u00e9/kb'))).toBe(false);
    expect(compileFilter({ text: '\u00c9T\u00c9' })(node('/x/\u00e9t\u00e9.txt'))).toBe(true);
    expect(compileFilter({ text: '(a|b)' })(node('/x/(A|B)'))).toBe(true);
    expect(compileFilter({ text: '(a|b)' })(node('/x/a'))).toBe(false);
  });

  it('filters a tree made elsewhere, and one thousands of levels deep', () => {
    const placed = (type: 'dir' | 'file'): Placed =>
      ({ entry: { type, size: 0 }, layer: 0 }) as unknown as Placed;
    const root = new ViewNode('/', '', placed('dir'), 'unchanged');
    let dir = root;
    let path = '';
    for (let level = 0; level < 3000; level++) {
      path += '/d';
      const child = new ViewNode(path, 'd', placed('dir'), 'unchanged');
      dir.addChild(new ViewNode(`${path}.txt`, 'd.txt', placed('file'), 'unchanged'));
      dir.addChild(child);
      dir = child;
    }
    dir.addChild(new ViewNode(`${path}/hit`, 'hit', placed('file'), 'unchanged'));
    // Never summarized: the view makes the tree's flat form itself.
    const view = new TreeView(root, { sort: 'name', filter: { text: 'HIT' } });
    expect(view.matches).toBe(1);
    expect(view.total).toBe(3001); // every directory on the way, then the match
    const last = view.page(3000, 1)[0]!;
    expect([last.name, last.depth]).toEqual(['hit', 3000]);
    const txt = new TreeView(root, { sort: 'name', filter: { text: '.txt' } });
    expect(txt.matches).toBe(3000);
    expect(txt.total).toBe(5999); // the deepest directory holds only the hit
  });

  it("makes a layer's changed files' nodes only when shown, and a filter's only where it keeps them", async () => {
    // Eight files in /many, two in /few.
    const layer = await packTar([
      ...Array.from({ length: 8 }, (_, i) => ({ name: `many/f${i}.txt`, body: `${i}` })),
      { name: 'few/a.txt', body: 'a' },
      { name: 'few/b.txt', body: 'b' },
    ]);
    const image = await loadImage(await withLayers([layer]), { store: null });
    try {
      const root = viewTree(image, 0, 'changes');
      const dir = (name: string) => root.holderChildren!.find((child) => child.name === name)!;
      const made = (node: ViewNode): number =>
        Array.from({ length: node.leafCount }, (_, i) => node.madeLeaf(i)).filter(Boolean).length;
      const view = new TreeView(image, { layer: 0, mode: 'changes', sort: 'name' });
      expect(view.page(0, 10).map((r) => [r.name, r.childCount])).toEqual([
        ['few', 2],
        ['many', 8],
      ]);
      expect([made(dir('few')), made(dir('many'))]).toEqual([0, 0]);
      // One of eight kept: only its node is made.
      const one = new TreeView(image, {
        layer: 0,
        mode: 'changes',
        sort: 'name',
        filter: { text: 'f3' },
      });
      expect([one.matches, made(dir('many')), made(dir('few'))]).toEqual([1, 1, 0]);
      expect(names(one.page(0, 10))).toEqual(['many (added)', '  f3.txt (added)']);
      // Opening a directory makes every node of it.
      view.setExpanded('/few', true);
      expect(names(view.page(0, 10))).toEqual([
        'few (added)',
        '  a.txt (added)',
        '  b.txt (added)',
        'many (added)',
      ]);
      expect(made(dir('few'))).toBe(2);
      // A quarter of a directory's files kept or more: all are made at once.
      const many = new TreeView(image, {
        layer: 0,
        mode: 'changes',
        sort: 'name',
        filter: { text: 'f[1-2]', kind: 'regex' },
      });
      expect([many.matches, made(dir('many'))]).toEqual([2, 8]);
      // The whole file system, expanded and filtered at large, is made whole at once.
      const whole = viewTree(image, 0, 'aggregate');
      const wholeDir = whole.holderChildren!.find((child) => child.name === 'many')!;
      expect(made(wholeDir)).toBe(8);
    } finally {
      await image.close();
    }
  });

  it('reads globs as shells do', () => {
    expect(globToRegExp('*.so').test('/usr/lib/libtiny.so')).toBe(true);
    expect(globToRegExp('/usr/*/x').test('/usr/lib/sub/x')).toBe(false);
    expect(globToRegExp('/usr/**/x').test('/usr/lib/sub/x')).toBe(true);
  });
});

describe('a layer-changes view of crafted layers', () => {
  let crafted: ImageModel;
  beforeAll(async () => {
    const base = await packTar([
      { name: 'x/', type: 'directory' },
      { name: 'x/y', body: 'y' },
      { name: 'd/', type: 'directory' },
      { name: 'd/old', body: 'old' },
    ]);
    // A directory replaced by a file; a directory's own entry after its child's.
    const replaces = await packTar([
      { name: 'x', body: 'now a file' },
      { name: 'd/e/f', body: 'f' },
      { name: 'd/e/', type: 'directory', mode: 0o700 },
    ]);
    // Only writes: a file rewritten, a new directory whose entry comes after its children's.
    const writes = await packTar([
      { name: 'd/old', body: 'new' },
      { name: 'n/m', body: 'm' },
      { name: 'n/', type: 'directory' },
    ]);
    crafted = await loadImage(await withLayers([base, replaces, writes]), { store: null });
  });
  afterAll(() => crafted.close());

  const changesView = (layer: number): string[] => {
    const view = new TreeView(crafted, { layer, mode: 'changes', sort: 'name' });
    view.expandAll(true);
    return names(view.page(0, 100));
  };

  it('shows a directory replaced by a file once, holding what it held', () => {
    expect(changesView(1)).toEqual([
      'd',
      '  e (added)',
      '    f (added)',
      'x (modified)',
      '  y (removed)',
    ]);
  });

  it('shows it once in the whole file system too', () => {
    const view = new TreeView(crafted, { layer: 1, mode: 'aggregate', sort: 'name' });
    view.expandAll(true);
    expect(names(view.page(0, 100))).toEqual([
      'd',
      '  e (added)',
      '    f (added)',
      '  old',
      'x (modified)',
      '  y (removed)',
    ]);
  });

  it('gives a directory its own change when its entry comes after its children', () => {
    expect(changesView(2)).toEqual(['d', '  old (modified)', 'n (added)', '  m (added)']);
  });
});

describe('a directory alone in its parent', () => {
  let image: ImageModel;
  beforeAll(async () => {
    const file = (name: string) => ({ name, body: name });
    const layers = [
      await packTar([file('app/src/a.js'), file('etc/hosts')]),
      await packTar([file('app/src/b.js'), file('app/src/lib/c.js'), file('app/src/lib/d.js')]),
      await packTar([{ name: 'work/', type: 'directory' as const }]),
    ];
    image = await loadImage(await withLayers(layers), { store: null });
  });
  afterAll(() => image.close());

  const rows = (view: TreeView) => names(view.page(0, 100));

  it('starts open, down from the root while each level holds one directory only', () => {
    const view = new TreeView(image, { layer: 1, mode: 'changes', sort: 'name' });
    expect(rows(view)).toEqual(['app', '  src', '    b.js (added)', '    lib (added)']);
    expect(view.page(0, 4).map((row) => row.expanded)).toEqual([true, true, false, false]);
  });

  it('stays closed when the user closes it, when it holds nothing, and beside others', () => {
    const closed = new TreeView(image, { layer: 1, mode: 'changes', sort: 'name' });
    closed.setExpanded('/app/src', false);
    expect(rows(closed)).toEqual(['app', '  src']);
    closed.expandAll(false);
    expect(rows(closed)).toEqual(['app']);
    expect(rows(new TreeView(image, { layer: 2, mode: 'changes', sort: 'name' }))).toEqual([
      'work (added)',
    ]);
    expect(rows(new TreeView(image, { layer: 0, mode: 'changes', sort: 'name' }))).toEqual([
      'app (added)',
      'etc (added)',
    ]);
  });
});
