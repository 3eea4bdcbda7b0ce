import { describe, expect, it } from 'vitest';
import {
  diffTexts,
  diffTextsNow,
  foldUnchanged,
  splitLines,
  splitRows,
  unifiedLines,
  wordSegments,
  type SplitRow,
} from './text-diff';

const A = 'one\ntwo\nthree\nfour\nfive\n';
const B = 'one\n2\nthree\nfour\nfour and a half\nfive\nsix\n';

const brief = (rows: SplitRow[]) =>
  rows.map((r) => [
    r.kind,
    r.left?.no ?? null,
    r.left?.text ?? null,
    r.right?.no ?? null,
    r.right?.text ?? null,
  ]);

describe('side by side', () => {
  it('pairs a replaced line with its replacement, numbering each side on its own', () => {
    const { changes, added, removed } = diffTextsNow(A, B);
    expect([added, removed]).toEqual([3, 1]);
    expect(brief(splitRows(changes))).toEqual([
      ['same', 1, 'one', 1, 'one'],
      ['changed', 2, 'two', 2, '2'],
      ['same', 3, 'three', 3, 'three'],
      ['same', 4, 'four', 4, 'four'],
      ['added', null, null, 5, 'four and a half'],
      ['same', 5, 'five', 6, 'five'],
      ['added', null, null, 7, 'six'],
    ]);
  });

  it('leaves the leftovers of an uneven replacement alone on their side', () => {
    const rows = splitRows(diffTextsNow('a\nx\ny\nz\nb\n', 'a\nX\nb\n').changes);
    expect(brief(rows)).toEqual([
      ['same', 1, 'a', 1, 'a'],
      ['changed', 2, 'x', 2, 'X'],
      ['removed', 3, 'y', null, null],
      ['removed', 4, 'z', null, null],
      ['same', 5, 'b', 3, 'b'],
    ]);
  });

  it('marks the changed words of a pair, and only them', () => {
    const rows = splitRows(diffTextsNow('workers = 2\n', 'workers = 4\n').changes);
    expect(rows[0]!.left!.segments).toEqual([
      { text: 'workers = ', changed: false },
      { text: '2', changed: true },
    ]);
    expect(rows[0]!.right!.segments).toEqual([
      { text: 'workers = ', changed: false },
      { text: '4', changed: true },
    ]);
  });

  it('shows a whole new file as added lines and says when the last line has no newline', () => {
    const rows = splitRows(diffTextsNow('', 'a\nb').changes);
    expect(brief(rows)).toEqual([
      ['added', null, null, 1, 'a'],
      ['added', null, null, 2, 'b'],
    ]);
    expect(rows[1]!.right!.noNewline).toBe(true);
    expect(rows[0]!.right!.noNewline).toBeUndefined();
  });

  it('tells a line that only lost its final newline from an unchanged one', () => {
    const rows = splitRows(diffTextsNow('a\nb\n', 'a\nb').changes);
    expect(brief(rows)).toEqual([
      ['same', 1, 'a', 1, 'a'],
      ['changed', 2, 'b', 2, 'b'],
    ]);
    expect(rows[1]!.left!.noNewline).toBeUndefined();
    expect(rows[1]!.right!.noNewline).toBe(true);
  });
});

describe('unified', () => {
  it('lists removed lines before their replacements, with both line numbers', () => {
    const lines = unifiedLines(diffTextsNow(A, B).changes);
    expect(lines.map((l) => [l.kind, l.oldNo, l.newNo, l.text])).toEqual([
      ['same', 1, 1, 'one'],
      ['removed', 2, null, 'two'],
      ['added', null, 2, '2'],
      ['same', 3, 3, 'three'],
      ['same', 4, 4, 'four'],
      ['added', null, 5, 'four and a half'],
      ['same', 5, 6, 'five'],
      ['added', null, 7, 'six'],
    ]);
    expect(lines[1]!.segments).toEqual([{ text: 'two', changed: true }]);
    expect(lines[2]!.segments).toEqual([{ text: '2', changed: true }]);
    expect(lines[5]!.segments).toBeUndefined();
  });
});

describe('folding unchanged runs', () => {
  const rows = (kinds: string) =>
    [...kinds].map((k, i) => ({ kind: k === '.' ? 'same' : 'added', i }));

  it('keeps the context around each change and folds the rest', () => {
    //            0123456789012345
    const list = rows('.....+.........+..');
    const folded = foldUnchanged(list, 2);
    expect(folded.map((r) => ('i' in r ? r.i : `fold ${r.start}-${r.end}`))).toEqual([
      'fold 0-3',
      3,
      4,
      5,
      6,
      7,
      'fold 8-13',
      13,
      14,
      15,
      16,
      17,
    ]);
  });

  it('folds nothing that would save one row, nor a fold the user opened', () => {
    expect(foldUnchanged(rows('..+'), 1).length).toBe(3);
    expect(foldUnchanged(rows('......+'), 1, new Set([0])).length).toBe(7);
  });

  it('folds a file without changes into one fold', () => {
    expect(foldUnchanged(rows('.....'), 3)).toEqual([{ kind: 'fold', start: 0, end: 5 }]);
  });
});

describe('helpers', () => {
  it('splits a change into lines', () => {
    expect(splitLines('a\nb\n')).toEqual({ lines: ['a', 'b'], noNewline: false });
    expect(splitLines('a\nb')).toEqual({ lines: ['a', 'b'], noNewline: true });
  });

  it('does not diff very long lines word by word', () => {
    expect(wordSegments('x'.repeat(3000), 'y')).toBeNull();
  });

  it('diffs without blocking, and gives up on texts too different to diff in time', async () => {
    expect((await diffTexts(A, B))?.added).toBe(3);
    const noise = (seed: number) =>
      Array.from({ length: 4000 }, (_, i) => `${(i * seed) % 9973}`).join('\n');
    expect(await diffTexts(noise(7), noise(13), 1)).toBeNull();
  });
});
