import { describe, expect, it } from 'vitest';
import { PathTree, ROOT } from './path-tree';

const childrenOf = (tree: PathTree, node: number): string[] => {
  const names: string[] = [];
  for (let c = tree.firstChildOf(node); c >= 0; c = tree.nextSiblingOf(c))
    names.push(tree.nameOf(c));
  return names.sort();
};

describe('PathTree', () => {
  it('gives a path one node, made once, found again, and its path back', () => {
    const tree = new PathTree();
    const b = tree.internPath('/a/b');
    expect(tree.internPath('/a/b')).toBe(b);
    expect(tree.findPath('/a/b')).toBe(b);
    expect(tree.pathOf(b)).toBe('/a/b');
    expect(tree.nameOf(b)).toBe('b');
    expect(tree.pathOf(tree.parentOf(b))).toBe('/a');
    expect(tree.parentOf(tree.parentOf(b))).toBe(ROOT);
    expect(tree.pathOf(ROOT)).toBe('/');
    expect(tree.findPath('/')).toBe(ROOT);
    expect(tree.size).toBe(3);
  });

  it('finds nothing for a path or a name it does not hold', () => {
    const tree = new PathTree();
    tree.internPath('/usr/lib');
    expect(tree.findPath('/usr/li')).toBe(-1);
    expect(tree.findPath('/usr/lib/x')).toBe(-1);
    expect(tree.findPath('/lib')).toBe(-1);
    expect(tree.find(ROOT, 'lib')).toBe(-1);
    expect(tree.size).toBe(3);
  });

  it('matches a name inside a longer string without taking a slice of it', () => {
    const tree = new PathTree();
    const lib = tree.internPath('/usr/lib');
    const usr = tree.parentOf(lib);
    expect(tree.find(usr, '/usr/lib/x', 5, 8)).toBe(lib);
    expect(tree.intern(usr, 'xxlibxx', 2, 5)).toBe(lib);
    expect(tree.find(usr, '/usr/lib/x', 5, 7)).toBe(-1);
  });

  it('keeps the same name under different parents apart, and lists each parent its children', () => {
    const tree = new PathTree();
    for (const path of ['/a/x', '/b/x', '/a/y', '/a/x/x']) tree.internPath(path);
    expect(tree.findPath('/a/x')).not.toBe(tree.findPath('/b/x'));
    expect(childrenOf(tree, tree.findPath('/a'))).toEqual(['x', 'y']);
    expect(childrenOf(tree, tree.findPath('/b'))).toEqual(['x']);
    expect(childrenOf(tree, ROOT)).toEqual(['a', 'b']);
    expect(tree.pathOf(tree.findPath('/a/x/x'))).toBe('/a/x/x');
  });

  it('holds names that are not ASCII, and names alike but for one character', () => {
    const tree = new PathTree();
    const names = ['é', 'e\u0301', '日本', '😀', 'ab', 'ba', 'a', 'aa'];
    const nodes = names.map((name) => tree.internPath(`/d/${name}`));
    expect(new Set(nodes).size).toBe(names.length);
    names.forEach((name, i) => expect(tree.pathOf(nodes[i]!)).toBe(`/d/${name}`));
  });

  it('finds every node again as it grows past its first columns and table', () => {
    const tree = new PathTree();
    const paths: string[] = [];
    for (let d = 0; d < 300; d++) for (let f = 0; f < 300; f++) paths.push(`/d${d}/f${f}`);
    const nodes = paths.map((path) => tree.internPath(path));
    expect(tree.capacity).toBeGreaterThanOrEqual(tree.size);
    expect(tree.size).toBe(1 + 300 + 90_000);
    expect(paths.filter((path, i) => tree.findPath(path) !== nodes[i])).toEqual([]);
    expect(tree.pathOf(nodes[89_999]!)).toBe('/d299/f299');
    expect(childrenOf(tree, tree.findPath('/d7')).length).toBe(300);
  });

  it('moves its lookups to a Map past a long probe run (names made to collide), answering the same', () => {
    const tree = new PathTree(4, 0);
    const paths = Array.from({ length: 2000 }, (_, i) => `/d${i % 7}/f${i}`);
    const nodes = paths.map((path) => tree.internPath(path));
    expect(tree.mapped).toBe(true);
    expect(paths.map((path) => tree.findPath(path))).toEqual(nodes);
    expect(paths.map((path) => tree.internPath(path))).toEqual(nodes);
    expect(nodes.map((node) => tree.pathOf(node))).toEqual(paths);
    expect(tree.findPath('/d1/f0')).toBe(-1);
    expect(childrenOf(tree, tree.findPath('/d3')).length).toBe(
      paths.filter((path) => path.startsWith('/d3/')).length,
    );
    expect(new PathTree().mapped).toBe(false);
  });
});
