import { describe, expect, it } from 'vitest';
import { PathPositions } from './path-positions';

describe('the positions of a layer’s paths', () => {
  it.each([
    ['a table', undefined],
    ['a table that turns into a Map at its first collision', 0],
  ])('answers as a Map would, through growth, rewrites and clearing: %s', (_, maxProbes) => {
    const table = new PathPositions(maxProbes, 1024);
    const paths: string[] = [];
    const oracle = new Map<string, number>();
    const write = (path: string): void => {
      const position = paths.length;
      paths.push(path);
      expect(table.set(path, position, (at) => paths[at]!)).toBe(oracle.get(path) ?? -1);
      oracle.set(path, position);
    };
    // Enough paths to grow the table several times; every tenth written again later, and
    // names that differ in one character (or only in their order) to share hash prefixes.
    for (let i = 0; i < 20_000; i++) write(`/usr/lib/pkg${i % 97}/file-${i}`);
    for (let i = 0; i < 20_000; i += 10) write(`/usr/lib/pkg${i % 97}/file-${i}`);
    write('/ab');
    write('/ba');
    write('/ab');
    // The Map takes over before the first growth.
    expect(table.capacity).toBe(maxProbes === 0 ? 1024 : 65536);
    const capacity = table.capacity;
    table.clear();
    paths.length = 0;
    oracle.clear();
    expect(table.capacity).toBe(capacity);
    write('/usr/lib/pkg0/file-0');
    write('/usr/lib/pkg0/file-0');
  });
});
