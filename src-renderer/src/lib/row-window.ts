// The arithmetic of a list of fixed-height rows that renders only the rows near its viewport.
// Positions are list positions (row x row height): the scroll position, unless the list's box is
// capped (listGeometry maps one to the other).

export interface RowWindow {
  /** The first row rendered. */
  first: number;
  /** One past the last row rendered. */
  end: number;
}

/**
 * The rows to render with `top` at the top: those in view and `overscan` more on each side. The
 * window holds the same number of rows wherever the list is scrolled (it slides, and at either end
 * of the list it renders more on the other side), so that `rowSlots` keeps rows in their slots.
 */
export function rowWindow(
  top: number,
  viewportHeight: number,
  rowHeight: number,
  total: number,
  overscan: number,
): RowWindow {
  // The most rows a view can touch: a partial row at the top and one at the bottom.
  const size = Math.ceil(viewportHeight / rowHeight) + 1 + 2 * overscan;
  const first = Math.max(0, Math.min(Math.floor(top / rowHeight) - overscan, total - size));
  return { first, end: Math.min(total, first + size) };
}

/**
 * The rows of `window` in the order they are drawn: row i in slot i mod its size. A row still in
 * the window after a scroll stays in its slot, and a row that scrolls in takes the slot of one that
 * scrolled out, so a scroll of n rows updates n slots and creates and removes nothing.
 */
export function rowSlots({ first, end }: RowWindow): number[] {
  const size = end - first;
  const slots = new Array<number>(size);
  for (let i = first; i < end; i++) slots[i % size] = i;
  return slots;
}

/** The rows of `window` in list order, as ids (a reading order for rows drawn in slot order). */
export function idsInOrder({ first, end }: RowWindow, id: (index: number) => string): string {
  const ids: string[] = [];
  for (let i = first; i < end; i++) ids.push(id(i));
  return ids.join(' ');
}

/** The rows in view, first and last inclusive, clamped to the rows there are. */
export function rowsInView(
  top: number,
  viewportHeight: number,
  rowHeight: number,
  total: number,
): { start: number; end: number } {
  const last = Math.max(0, total - 1);
  const clamp = (index: number) => Math.max(0, Math.min(last, index));
  return {
    start: clamp(Math.floor(top / rowHeight)),
    end: clamp(Math.floor((top + viewportHeight) / rowHeight)),
  };
}

/** The top position that shows row `index` whole, moving from `top` as little as it can. */
export function topShowing(
  index: number,
  top: number,
  viewportHeight: number,
  rowHeight: number,
): number {
  const rowTop = index * rowHeight;
  const rowBottom = rowTop + rowHeight;
  if (rowTop < top) return rowTop;
  if (rowBottom > top + viewportHeight) return Math.max(0, rowBottom - viewportHeight);
  return top;
}

/**
 * The tallest the list's box is made. Browsers cap an element's height (Chromium near 33.5
 * million px, Firefox near 17.9 million): past this, the box stays this tall and its scroll range
 * stands for the whole list in proportion, so that every row can still be scrolled to.
 */
export const MAX_LIST_HEIGHT = 8_000_000;

/** Where the list is drawn: the height of its box, and scroll positions to list positions. */
export interface ListGeometry {
  height: number;
  /** The list position (rows x row height) shown at the top for a scroll position. */
  toList(scrollTop: number): number;
  /** The scroll position that shows list position `listTop` at the top. */
  toScroll(listTop: number): number;
}

export function listGeometry(
  total: number,
  rowHeight: number,
  viewportHeight: number,
  maxHeight = MAX_LIST_HEIGHT,
): ListGeometry {
  const full = total * rowHeight;
  if (full <= maxHeight) return { height: full, toList: (top) => top, toScroll: (top) => top };
  // Both ends meet: the last scroll position shows the last rows.
  const ratio = (full - viewportHeight) / Math.max(1, maxHeight - viewportHeight);
  return {
    height: maxHeight,
    toList: (top) => top * ratio,
    toScroll: (top) => top / ratio,
  };
}
