// B's files compared with A's as B's plain layers are read (`strata diff`, A already open): a
// file whose bytes the read has at hand in its window, opposite a file of A's final tree of the
// same size in a plain layer, is compared there and then, so B's bytes are not read a second time
// by the comparisons that follow the walk of the two trees. A's files are read forward only, so
// that however B's entries are ordered, A's layers are read at most once by these comparisons; a
// file of A behind the last one compared is left to the comparisons after the walk.
import { LAYER_WINDOW_BYTES, LayerWindow, type StoredLayer } from '../layer/content';
import type { FileBodies } from '../layer/index-builder';
import { readByPosition } from '../layer/same-content';
import { grown } from '../tree/grown';
import { ABSENT, layerOf, positionOf } from './column-stack';
import { FILE } from './layer-columns';
import type { ImageColumns } from './load-columns';

const NOT_COMPARED = 0;
const SAME = 1;
const DIFFERENT = 2;

export class ComparedOnRead {
  /** By node: the last comparison's result, B's layer (plus one) and its file's data offset. */
  private result = new Uint8Array(0);
  private layer = new Int32Array(0);
  private dataOffset = new Float64Array(0);
  /** Each of A's layers compared from: its window, and the data offset of its last file compared. */
  private readonly reads = new Map<StoredLayer, { window: LayerWindow; last: number }>();
  private readonly file = { path: '', size: 0, dataOffset: 0 };

  constructor(private readonly a: ImageColumns) {}

  /** What layer `i` of B is to tell of its files (loadColumns' `bodies`). */
  readonly bodies = (i: number): FileBodies => {
    const { stack, layers } = this.a;
    return (node, block, from, size, dataOffset) => {
      const placed = stack.placedAt(node);
      if (placed === ABSENT || size > LAYER_WINDOW_BYTES) return;
      const columns = stack.columnsOf(placed);
      const at = positionOf(placed);
      if (columns?.type[at] !== FILE || columns.size[at] !== size) return;
      const layerA = layers[layerOf(placed)]!;
      if (!readByPosition(layerA)) return;
      let read = this.reads.get(layerA);
      if (!read) this.reads.set(layerA, (read = { window: new LayerWindow(layerA), last: 0 }));
      const offsetA = columns.dataOffset[at]!;
      if (offsetA < read.last) return;
      read.last = offsetA;
      this.file.size = size;
      this.file.dataOffset = offsetA;
      const { window } = read;
      const start = window.locate(this.file);
      const same = window.buffer.compare(block, from, from + size, start, start + size) === 0;
      if (node >= this.result.length) {
        const length = Math.max(node + 1, this.result.length * 2, 1024);
        this.result = grown(this.result, length);
        this.layer = grown(this.layer, length);
        this.dataOffset = grown(this.dataOffset, length);
      }
      this.result[node] = same ? SAME : DIFFERENT;
      this.layer[node] = i + 1;
      this.dataOffset[node] = dataOffset;
    };
  };

  /**
   * Whether B's file at `node`, in B's layer `layer` at `dataOffset`, was found to hold the bytes
   * of A's final file there; undefined if that very file was not compared.
   */
  sameAs(node: number, layer: number, dataOffset: number): boolean | undefined {
    if (
      node >= this.result.length ||
      this.result[node] === NOT_COMPARED ||
      this.layer[node] !== layer + 1 ||
      this.dataOffset[node] !== dataOffset
    )
      return undefined;
    return this.result[node] === SAME;
  }
}
