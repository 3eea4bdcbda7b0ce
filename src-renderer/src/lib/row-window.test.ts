import { describe, expect, it } from 'vitest';
import {
  idsInOrder,
  listGeometry,
  MAX_LIST_HEIGHT,
  rowSlots,
  rowsInView,
  rowWindow,
  topShowing,
} from './row-window';

describe('rowWindow', () => {
  it('renders the rows in view and the overscan on each side', () => {
    // 100 px shows parts of at most 5 rows of 26 px; 5 more on each side.
    expect(rowWindow(260, 100, 26, 1000, 5)).toEqual({ first: 5, end: 20 });
  });

  it('holds the same number of rows wherever the list is scrolled', () => {
    for (let top = 0; top <= 26_000 - 100; top += 7) {
      const { first, end } = rowWindow(top, 100, 26, 1000, 5);
      expect(end - first).toBe(15);
      // Every row partly in view is rendered.
      expect(first).toBeLessThanOrEqual(Math.floor(top / 26));
      expect(end).toBeGreaterThan(Math.floor((top + 99) / 26));
    }
  });

  it('stops at the first and last rows, rendering more on the other side', () => {
    expect(rowWindow(0, 100, 26, 1000, 5)).toEqual({ first: 0, end: 15 });
    expect(rowWindow(25_900, 100, 26, 1000, 5)).toEqual({ first: 985, end: 1000 });
    expect(rowWindow(0, 100, 26, 0, 5)).toEqual({ first: 0, end: 0 });
  });

  it('renders the rows there are after the list shrank below the scroll position', () => {
    expect(rowWindow(26_000, 100, 26, 10, 5)).toEqual({ first: 0, end: 10 });
  });
});

describe('rowSlots', () => {
  it('draws rows in list order while the first row is 0', () => {
    expect(rowSlots({ first: 0, end: 4 })).toEqual([0, 1, 2, 3]);
  });

  it('keeps a row in its slot while it stays in the window, and reuses the slots of rows gone', () => {
    const before = rowSlots({ first: 5, end: 20 });
    const after = rowSlots({ first: 8, end: 23 });
    for (let row = 8; row < 20; row++) expect(after.indexOf(row)).toBe(before.indexOf(row));
    expect([20, 21, 22].map((row) => after.indexOf(row)).sort()).toEqual(
      [5, 6, 7].map((row) => before.indexOf(row)).sort(),
    );
    expect([...after].sort((a, b) => a - b)).toEqual(Array.from({ length: 15 }, (_, i) => 8 + i));
  });

  it('has no slots for an empty window', () => {
    expect(rowSlots({ first: 0, end: 0 })).toEqual([]);
  });
});

describe('idsInOrder', () => {
  it('lists the ids of the window in list order', () => {
    expect(idsInOrder({ first: 3, end: 6 }, (i) => `r-${i}`)).toBe('r-3 r-4 r-5');
  });
});

describe('rowsInView', () => {
  it('names the rows partly or wholly in view', () => {
    expect(rowsInView(30, 100, 26, 1000)).toEqual({ start: 1, end: 5 });
  });

  it('clamps to the rows there are', () => {
    expect(rowsInView(0, 100, 26, 2)).toEqual({ start: 0, end: 1 });
    expect(rowsInView(0, 100, 26, 0)).toEqual({ start: 0, end: 0 });
  });
});

describe('topShowing', () => {
  it('leaves a row already in view where it is', () => {
    expect(topShowing(3, 26, 104, 26)).toBe(26);
  });

  it('scrolls up to a row above the view, putting it at the top', () => {
    expect(topShowing(2, 260, 104, 26)).toBe(52);
  });

  it('scrolls down to a row below the view, putting it at the bottom', () => {
    expect(topShowing(20, 0, 104, 26)).toBe(21 * 26 - 104);
  });
});

describe('listGeometry', () => {
  it('draws a list that fits as it is', () => {
    const g = listGeometry(1000, 26, 500);
    expect(g.height).toBe(26_000);
    expect([g.toList(1234), g.toScroll(1234)]).toEqual([1234, 1234]);
  });

  it('draws a list taller than browsers allow at the cap, every row still in reach', () => {
    const total = 2_000_000; // 52 million px at 26 px a row
    const g = listGeometry(total, 26, 500, MAX_LIST_HEIGHT);
    expect(g.height).toBe(MAX_LIST_HEIGHT);
    expect(g.toList(0)).toBe(0);
    // The last scroll position shows the last rows whole.
    const last = g.toList(MAX_LIST_HEIGHT - 500);
    expect(last).toBeCloseTo(total * 26 - 500, 3);
    expect(rowsInView(last, 500, 26, total).end).toBe(total - 1);
    expect(rowWindow(last, 500, 26, total, 5).end).toBe(total);
    // A row scrolled to by its list position is at the top.
    const top = 1_234_567 * 26;
    expect(g.toList(g.toScroll(top))).toBeCloseTo(top, 3);
  });
});
