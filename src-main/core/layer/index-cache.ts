// Layer indexes by diff ID: a layer shared by two images (or opened twice) is read once.
// An index is independent of where the layer is stored: offsets are within the uncompressed tar.
import type { LayerIndex } from './layer-index';

export class LayerIndexCache {
  private readonly indexes = new Map<string, LayerIndex>();
  private entries = 0;

  constructor(
    /** Bound on the entries held across all cached indexes. */
    private readonly maxEntries = 4_000_000,
  ) {}

  get(diffId: string): LayerIndex | undefined {
    const index = this.indexes.get(diffId);
    if (index) {
      this.indexes.delete(diffId); // most recently used last
      this.indexes.set(diffId, index);
    }
    return index;
  }

  set(index: LayerIndex): void {
    if (this.indexes.has(index.diffId)) return;
    this.indexes.set(index.diffId, index);
    this.entries += index.entries.length;
    for (const [diffId, old] of this.indexes) {
      if (this.entries <= this.maxEntries || old === index) break;
      this.indexes.delete(diffId);
      this.entries -= old.entries.length;
    }
  }
}
