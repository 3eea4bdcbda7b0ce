// The arithmetic of a list of fixed-height rows that renders only the rows near its viewport.

export interface RowWindow {
  /** The first row rendered. */
  first: number;
  /** One past the last row rendered. */
  end: number;
}

/** The rows to render at `scrollTop`: those in view and `overscan` more on each side. */
export function rowWindow(
  scrollTop: number,
  viewportHeight: number,
  rowHeight: number,
  total: number,
  overscan: number,
): RowWindow {
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const end = Math.min(total, Math.ceil((scrollTop + viewportHeight) / rowHeight) + overscan);
  return { first: Math.min(first, end), end };
}

/** The rows in view, first and last inclusive, clamped to the rows there are. */
export function rowsInView(
  scrollTop: number,
  viewportHeight: number,
  rowHeight: number,
  total: number,
): { start: number; end: number } {
  const last = Math.max(0, total - 1);
  const clamp = (index: number) => Math.max(0, Math.min(last, index));
  return {
    start: clamp(Math.floor(scrollTop / rowHeight)),
    end: clamp(Math.floor((scrollTop + viewportHeight) / rowHeight)),
  };
}

/** The scroll position that shows row `index` whole, moving as little as it can. */
export function scrollTopShowing(
  index: number,
  scrollTop: number,
  viewportHeight: number,
  rowHeight: number,
): number {
  const top = index * rowHeight;
  const bottom = top + rowHeight;
  if (top < scrollTop) return top;
  if (bottom > scrollTop + viewportHeight) return Math.max(0, bottom - viewportHeight);
  return scrollTop;
}
