import { describe, expect, it } from 'vitest';
import type { Placed } from '../tree/merged-tree';
import { PathSearch } from './path-search';
import { TreeView } from './tree-view';
import { flatTree, ViewNode } from './view-tree';

const placed = (path: string, type: 'dir' | 'file'): Placed =>
  ({ entry: { path, type, size: 1 }, layer: 0 }) as unknown as Placed;

/** A tree made elsewhere: directories as nodes, files as leaves, names in mixed case and scripts. */
function tree(): ViewNode {
  const root = new ViewNode('/', '', placed('/', 'dir'), 'unchanged');
  const dir = (parent: ViewNode, path: string): ViewNode => {
    const node = new ViewNode(
      path,
      path.slice(path.lastIndexOf('/') + 1),
      placed(path, 'dir'),
      'unchanged',
    );
    parent.addChild(node);
    return node;
  };
  const files = (parent: ViewNode, ...names: string[]): void => {
    for (const name of names) parent.addLeaf(placed(`${parent.path}/${name}`, 'file'), 'added');
  };
  const a = dir(root, '/A');
  const k = dir(a, '/A/K.Bin');
  files(a, 'K.B', 'aK.bc', 'kxb', '\u212a.b', '\u0130K.B', '\u00e9t\u00e9');
  files(k, 'x', 'Y', 'n\0ul');
  files(dir(root, '/\u00c9T\u00c9'), 'z');
  return root;
}

/** What the search finds, as paths (its strings of about `chunkChars`). */
function found(root: ViewNode, lower: string, chunkChars?: number): string[] {
  const { nodes } = flatTree(root);
  const paths: string[] = [];
  PathSearch.of(root, chunkChars).forEachHolding(lower, (node, leaf) =>
    paths.push(leaf < 0 ? nodes[node]!.path : nodes[node]!.leafState(leaf).entry.path),
  );
  return paths;
}

/** Every path but the root's whose lower-case form holds `lower`, in the tree's flat order. */
function holding(root: ViewNode, lower: string): string[] {
  const paths: string[] = [];
  flatTree(root).nodes.forEach((node, i) => {
    if (i > 0) paths.push(node.path);
    for (let l = 0; l < node.leafCount; l++) paths.push(node.leafState(l).entry.path);
  });
  return paths.filter((path) => path.toLowerCase().includes(lower));
}

describe('the path search of a view tree', () => {
  it('finds every path whose lower-case form holds the text, nodes and leaves, once each', () => {
    const root = tree();
    for (const text of [
      'k.b',
      'a',
      '/a/k',
      '\u00e9t\u00e9',
      'i\u0307k',
      'y',
      'nothing',
      '/',
      // Whatever a path holds: the search's own separator, within a path or across two.
      'n\0u',
      '\0',
      'x\0/',
      'in',
    ]) {
      expect(found(root, text), text).toEqual(holding(root, text));
      // In strings of a path or two each, as a big image's paths are.
      for (const chunkChars of [1, 12, 30])
        expect(found(tree(), text, chunkChars), `${text} ${chunkChars}`).toEqual(
          holding(root, text),
        );
    }
    // Each directory, then its files; paths below a match match too.
    expect(found(root, 'k.b')).toEqual([
      '/A/K.B',
      '/A/aK.bc',
      '/A/\u212a.b', // the Kelvin sign lower-cases to k
      '/A/\u0130K.B', // and İ to i and a combining dot
      '/A/K.Bin',
      '/A/K.Bin/x',
      '/A/K.Bin/Y',
      '/A/K.Bin/n\0ul',
    ]);
    expect(PathSearch.of(root)).toBe(PathSearch.of(root));
  });

  it('gives a substring filter the rows of testing every path: the matches and their ancestors', () => {
    const root = tree();
    const ancestors = (path: string): string[] =>
      path
        .split('/')
        .slice(1)
        .map((_, i, parts) => `/${parts.slice(0, i + 1).join('/')}`);
    for (const text of ['K.b', 'A', '\u00c9', 'i\u0307', 'Y']) {
      const matching = holding(root, text.toLowerCase());
      const view = new TreeView(root, { sort: 'name', filter: { text } });
      expect(view.matches, text).toBe(matching.length);
      expect(new Set(view.page(0, 100).map((row) => row.path)), text).toEqual(
        new Set(matching.flatMap(ancestors)),
      );
      // With another condition: only the files (added) among them.
      const files = new TreeView(root, { sort: 'name', filter: { text, changes: ['added'] } });
      expect(files.matches, text).toBe(
        matching.filter((path) => /\/[^/]+\/[^/]+$/.test(path) && !path.endsWith('K.Bin')).length,
      );
    }
  });

  it('is made in steps ahead of a filter, and one a filter made meanwhile is kept', () => {
    /** A tree of 50 directories of 100 files. */
    const big = (): ViewNode => {
      const root = new ViewNode('/', '', placed('/', 'dir'), 'unchanged');
      for (let d = 0; d < 50; d++) {
        const path = `/d${d}`;
        const dir = new ViewNode(path, `d${d}`, placed(path, 'dir'), 'unchanged');
        root.addChild(dir);
        for (let f = 0; f < 100; f++) dir.addLeaf(placed(`${path}/F${f}`, 'file'), 'added');
      }
      return root;
    };
    const root = big();
    const steps = PathSearch.ofSteps(root, () => true);
    let pauses = 0;
    while (!steps.next().done) pauses++;
    expect(pauses).toBeGreaterThanOrEqual(4);
    expect(PathSearch.isMade(root)).toBe(true);
    expect(found(root, 'd7/f9')).toEqual(found(big(), 'd7/f9'));
    expect(found(root, 'd7/f9')).toHaveLength(11);

    const other = big();
    const ahead = PathSearch.ofSteps(other, () => true);
    ahead.next();
    const filtered = PathSearch.of(other);
    let last = ahead.next();
    while (!last.done) last = ahead.next();
    expect(last.value).toBe(filtered);
    expect(PathSearch.of(other)).toBe(filtered);
  });
});
