import { describe, expect, it } from 'vitest';
import { squarify, type Rect } from './treemap';

const bounds: Rect = { x: 10, y: 20, width: 600, height: 400 };
const area = (r: Rect) => r.width * r.height;

describe('squarify', () => {
  it('gives each item an area proportional to its value, inside the bounds', () => {
    const values = [6, 6, 4, 3, 2, 2, 1];
    const placed = squarify(values, (v) => v, bounds);
    expect(placed).toHaveLength(values.length);
    const total = values.reduce((a, b) => a + b, 0);
    for (const p of placed) {
      expect(area(p)).toBeCloseTo((p.item / total) * area(bounds), 6);
      expect(p.x).toBeGreaterThanOrEqual(bounds.x - 1e-9);
      expect(p.y).toBeGreaterThanOrEqual(bounds.y - 1e-9);
      expect(p.x + p.width).toBeLessThanOrEqual(bounds.x + bounds.width + 1e-9);
      expect(p.y + p.height).toBeLessThanOrEqual(bounds.y + bounds.height + 1e-9);
    }
    const covered = placed.reduce((sum, p) => sum + area(p), 0);
    expect(covered).toBeCloseTo(area(bounds), 6);
  });

  it('does not overlap', () => {
    const placed = squarify([50, 30, 9, 5, 3, 2, 1], (v) => v, bounds);
    for (const [i, a] of placed.entries()) {
      for (const b of placed.slice(i + 1)) {
        const overlapX = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
        const overlapY = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
        expect(overlapX <= 1e-9 || overlapY <= 1e-9).toBe(true);
      }
    }
  });

  it('keeps equal items square-ish (the point of squarifying)', () => {
    const placed = squarify([1, 1, 1, 1], (v) => v, { x: 0, y: 0, width: 200, height: 200 });
    for (const p of placed) expect(Math.max(p.width / p.height, p.height / p.width)).toBeCloseTo(1);
  });

  it('lays out largest first and skips empty items', () => {
    const placed = squarify([1, 0, 5, -2, 3], (v) => v, bounds);
    expect(placed.map((p) => p.item)).toEqual([5, 3, 1]);
    expect(squarify([0], (v) => v, bounds)).toEqual([]);
    expect(squarify([1], (v) => v, { x: 0, y: 0, width: 0, height: 10 })).toEqual([]);
  });
});
