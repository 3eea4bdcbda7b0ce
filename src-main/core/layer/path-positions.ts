// Where each path of one layer stands in its list of entries: an open-addressing hash table of
// positions in typed arrays, kept for the next layer once emptied. A Map of a layer's 80k paths
// grows its backing store by doubling, a few MB each time, for every layer; where touching fresh
// memory is slow (a VM: 18 µs a page), that growth was a fifth of indexing a layer.
import { hashName } from '../tree/path-tree';

/** Seeded per process (see path-tree.ts), so that nobody can name in advance paths that collide. */
const hashOf = (path: string): number => hashName(0, path, 0, path.length);

/**
 * Slots a table starts with: a layer of 128k paths fits without growing. The allocator's pages
 * are zero and untouched until used, so a small layer's table costs only the pages it touches.
 */
const INITIAL_SLOTS = 1 << 18;

export class PathPositions {
  /** Position + 1 of the path in each slot; 0 for an empty slot. */
  private slots: Int32Array<ArrayBuffer>;
  private hashes: Int32Array<ArrayBuffer>;
  private used = 0;
  /**
   * A Map instead, from the first run of slots longer than `maxProbes` (paths made to collide
   * would make each lookup a walk through all of them): V8 hashes its keys with a secret seed.
   */
  private map: Map<string, number> | null = null;

  constructor(
    private readonly maxProbes = 64,
    slots = INITIAL_SLOTS,
  ) {
    this.slots = new Int32Array(slots);
    this.hashes = new Int32Array(slots);
  }

  get capacity(): number {
    return this.slots.length;
  }

  /**
   * Records `path` at `position` and returns the position it had before, or -1 when new.
   * `pathAt` gives the path at a recorded position.
   */
  set(path: string, position: number, pathAt: (position: number) => string): number {
    if (this.map) {
      const before = this.map.get(path) ?? -1;
      this.map.set(path, position);
      return before;
    }
    if (2 * (this.used + 1) > this.slots.length) this.grow();
    const hash = hashOf(path);
    const mask = this.slots.length - 1;
    for (let i = hash & mask, probes = 0; ; i = (i + 1) & mask, probes++) {
      const slot = this.slots[i]!;
      if (slot === 0) {
        if (probes > this.maxProbes) break;
        this.slots[i] = position + 1;
        this.hashes[i] = hash;
        this.used++;
        return -1;
      }
      if (this.hashes[i] === hash && pathAt(slot - 1) === path) {
        this.slots[i] = position + 1;
        return slot - 1;
      }
    }
    this.map = new Map();
    for (const slot of this.slots) if (slot !== 0) this.map.set(pathAt(slot - 1), slot - 1);
    return this.set(path, position, pathAt);
  }

  /**
   * Empties the table, keeping its size (the next layer's paths are as many, often). A table
   * mostly empty is made again rather than filled: filling would touch the pages it never used.
   */
  clear(): void {
    if (this.used * 8 > this.slots.length) this.slots.fill(0);
    else this.slots = new Int32Array(this.slots.length);
    this.used = 0;
    this.map = null;
  }

  private grow(): void {
    const { slots, hashes } = this;
    this.slots = new Int32Array(slots.length * 2);
    this.hashes = new Int32Array(slots.length * 2);
    const mask = this.slots.length - 1;
    for (let j = 0; j < slots.length; j++) {
      if (slots[j] === 0) continue;
      let i = hashes[j]! & mask;
      while (this.slots[i] !== 0) i = (i + 1) & mask;
      this.slots[i] = slots[j]!;
      this.hashes[i] = hashes[j]!;
    }
  }
}
