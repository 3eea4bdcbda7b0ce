// Squarified treemap layout (Bruls, Huizing and van Wijk, 2000): rectangles whose areas are
// proportional to their values, laid out in rows along the shorter side so that they stay as
// close to squares as the values allow. Pure geometry; SizeMap draws the result.

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Placed<T> extends Rect {
  item: T;
}

/**
 * Lays out `items` (any order; laid out largest first) in `bounds`. Items with a value of zero
 * or less get no rectangle.
 */
export function squarify<T>(
  items: readonly T[],
  valueOf: (item: T) => number,
  bounds: Rect,
): Placed<T>[] {
  const live = items
    .map((item) => ({ item, value: valueOf(item) }))
    .filter((entry) => entry.value > 0 && Number.isFinite(entry.value))
    .sort((a, b) => b.value - a.value);
  const total = live.reduce((sum, entry) => sum + entry.value, 0);
  if (total <= 0 || bounds.width <= 0 || bounds.height <= 0) return [];
  const scale = (bounds.width * bounds.height) / total;
  const areas = live.map((entry) => ({ item: entry.item, area: entry.value * scale }));

  const out: Placed<T>[] = [];
  let free: Rect = { ...bounds };
  let row: typeof areas = [];
  let rowArea = 0;

  /** The worst aspect ratio of `row` laid along a side of length `side`. */
  const worst = (areasInRow: number[], sum: number, side: number): number => {
    const max = Math.max(...areasInRow);
    const min = Math.min(...areasInRow);
    const s2 = side * side;
    const sum2 = sum * sum;
    return Math.max((s2 * max) / sum2, sum2 / (s2 * min));
  };

  const layoutRow = () => {
    if (row.length === 0) return;
    const horizontal = free.width >= free.height; // the row runs along the shorter side
    const side = horizontal ? free.height : free.width;
    const thickness = rowArea / side;
    let at = horizontal ? free.y : free.x;
    for (const { item, area } of row) {
      const length = area / thickness;
      out.push(
        horizontal
          ? { item, x: free.x, y: at, width: thickness, height: length }
          : { item, x: at, y: free.y, width: length, height: thickness },
      );
      at += length;
    }
    free = horizontal
      ? { x: free.x + thickness, y: free.y, width: free.width - thickness, height: free.height }
      : { x: free.x, y: free.y + thickness, width: free.width, height: free.height - thickness };
    row = [];
    rowArea = 0;
  };

  for (const entry of areas) {
    const side = Math.min(free.width, free.height);
    if (row.length === 0) {
      row.push(entry);
      rowArea = entry.area;
      continue;
    }
    const current = worst(
      row.map((r) => r.area),
      rowArea,
      side,
    );
    const next = worst([...row.map((r) => r.area), entry.area], rowArea + entry.area, side);
    if (next <= current) {
      row.push(entry);
      rowArea += entry.area;
    } else {
      layoutRow();
      row.push(entry);
      rowArea = entry.area;
    }
  }
  layoutRow();
  return out;
}

/** `rect` shrunk by `by` on every side (never below zero size). */
export function inset(rect: Rect, by: number): Rect {
  return {
    x: rect.x + by,
    y: rect.y + by,
    width: Math.max(0, rect.width - 2 * by),
    height: Math.max(0, rect.height - 2 * by),
  };
}
