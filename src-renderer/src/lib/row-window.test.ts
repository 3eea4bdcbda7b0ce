import { describe, expect, it } from 'vitest';
import { rowsInView, rowWindow, scrollTopShowing } from './row-window';

describe('rowWindow', () => {
  it('renders the rows in view and the overscan on each side', () => {
    expect(rowWindow(260, 100, 26, 1000, 5)).toEqual({ first: 5, end: 19 });
  });

  it('stops at the first and last rows', () => {
    expect(rowWindow(0, 100, 26, 1000, 5)).toEqual({ first: 0, end: 9 });
    expect(rowWindow(25_900, 100, 26, 1000, 5)).toEqual({ first: 991, end: 1000 });
    expect(rowWindow(0, 100, 26, 0, 5)).toEqual({ first: 0, end: 0 });
  });

  it('renders nothing past the rows there are after the list shrank', () => {
    expect(rowWindow(26_000, 100, 26, 10, 5)).toEqual({ first: 10, end: 10 });
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

describe('scrollTopShowing', () => {
  it('leaves a row already in view where it is', () => {
    expect(scrollTopShowing(3, 26, 104, 26)).toBe(26);
  });

  it('scrolls up to a row above the view, putting it at the top', () => {
    expect(scrollTopShowing(2, 260, 104, 26)).toBe(52);
  });

  it('scrolls down to a row below the view, putting it at the bottom', () => {
    expect(scrollTopShowing(20, 0, 104, 26)).toBe(21 * 26 - 104);
  });
});
