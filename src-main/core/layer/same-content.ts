// Whether pairs of same-size files hold the same bytes: by their digests where both are known;
// byte for byte where both lie in plain layers read by position, in the order the first files lie
// in their layers, through read windows (a read per window, not per file); else by digests
// computed now, a few files at a time (each may need a layer streamed).
import {
  entryDigest,
  LAYER_WINDOW_BYTES,
  LayerWindow,
  sameBytesByPieces,
  type StoredFile,
  type StoredLayer,
} from './content';
import { nextTurn } from '../io/next-turn';

/**
 * Pairs of files to compare, kept as columns: a comparison may hold 100k pairs (a `chmod -R`
 * rewrites every file), and an object for each side of each pair is work for the collector.
 */
export class FilePairs {
  readonly layers: [StoredLayer[], StoredLayer[]] = [[], []];
  readonly entries: [StoredFile[], StoredFile[]] = [[], []];

  get length(): number {
    return this.entries[0].length;
  }

  add(layerA: StoredLayer, entryA: StoredFile, layerB: StoredLayer, entryB: StoredFile): void {
    this.layers[0].push(layerA);
    this.entries[0].push(entryA);
    this.layers[1].push(layerB);
    this.entries[1].push(entryB);
  }
}

/**
 * Files over a window's size are compared a piece of this size at a time in two buffers kept for
 * the whole call (read whole, each would be new memory).
 */
const PIECE_BYTES = 1024 * 1024;
const HASHED_AT_ONCE = 16;
/** Bytes or files compared between turns of the event loop, so that a service answers meanwhile. */
const BYTES_PER_TURN = 16 * 1024 * 1024;
const FILES_PER_TURN = 2048;

export const readByPosition = (layer: StoredLayer): boolean =>
  layer.compression === 'none' && layer.blob.source.readInto !== undefined;

/** For each pair, whether both files hold the same bytes (files of different sizes do not). */
export async function sameContents(pairs: FilePairs): Promise<boolean[]> {
  const [layersA, layersB] = pairs.layers;
  const [entriesA, entriesB] = pairs.entries;
  const same = new Array<boolean>(pairs.length).fill(false);
  const direct: number[] = [];
  const hashed: number[] = [];
  for (let i = 0; i < pairs.length; i++) {
    const x = entriesA[i]!;
    const y = entriesB[i]!;
    if (x.size !== y.size) continue;
    if (x.sha256 && y.sha256) same[i] = x.sha256 === y.sha256;
    else if (readByPosition(layersA[i]!) && readByPosition(layersB[i]!)) direct.push(i);
    else hashed.push(i);
  }
  await compareInOrder(pairs, direct, same);
  for (let at = 0; at < hashed.length; at += HASHED_AT_ONCE) {
    await Promise.all(
      hashed.slice(at, at + HASHED_AT_ONCE).map(async (i) => {
        const digests = await Promise.all([
          entryDigest(layersA[i]!, entriesA[i]!),
          entryDigest(layersB[i]!, entriesB[i]!),
        ]);
        same[i] = digests[0] === digests[1];
      }),
    );
  }
  return same;
}

async function compareInOrder(pairs: FilePairs, which: number[], same: boolean[]): Promise<void> {
  if (!which.length) return;
  const [layersA, layersB] = pairs.layers;
  const [entriesA, entriesB] = pairs.entries;
  // Each side reads through windows of its own, so the two files compared are never in one buffer.
  const windowsOf = () => {
    const windows = new Map<StoredLayer, LayerWindow>();
    let lastLayer: StoredLayer | null = null;
    let last: LayerWindow | undefined;
    return (layer: StoredLayer): LayerWindow => {
      if (layer === lastLayer) return last!;
      last = windows.get(layer);
      if (!last) windows.set(layer, (last = new LayerWindow(layer)));
      lastLayer = layer;
      return last;
    };
  };
  const [first, second] = [windowsOf(), windowsOf()];
  // In the order the first files lie: by layer (as first met), then by offset in the layer.
  const layerOrder = new Map<StoredLayer, number>();
  const layerRank = new Uint32Array(pairs.length);
  const offset = new Float64Array(pairs.length);
  for (const i of which) {
    const layer = layersA[i]!;
    let rank = layerOrder.get(layer);
    if (rank === undefined) layerOrder.set(layer, (rank = layerOrder.size));
    layerRank[i] = rank;
    offset[i] = entriesA[i]!.dataOffset;
  }
  const order = Uint32Array.from(which).sort(
    (i, j) => layerRank[i]! - layerRank[j]! || offset[i]! - offset[j]!,
  );
  let pieces: [Buffer, Buffer] | undefined;
  let sinceTurn = 0;
  let filesSinceTurn = 0;
  for (const i of order) {
    const x = entriesA[i]!;
    const y = entriesB[i]!;
    if (x.size > LAYER_WINDOW_BYTES) {
      pieces ??= [Buffer.allocUnsafe(PIECE_BYTES), Buffer.allocUnsafe(PIECE_BYTES)];
      same[i] = sameBytesByPieces(
        { layer: layersA[i]!, entry: x },
        { layer: layersB[i]!, entry: y },
        pieces,
      );
    } else {
      // Compared where they lie in the two windows: no view made of either.
      const a = first(layersA[i]!);
      const b = second(layersB[i]!);
      const at = a.locate(x);
      const bt = b.locate(y);
      same[i] = a.buffer.compare(b.buffer, bt, bt + y.size, at, at + x.size) === 0;
    }
    sinceTurn += x.size;
    if (sinceTurn >= BYTES_PER_TURN || ++filesSinceTurn >= FILES_PER_TURN) {
      sinceTurn = filesSinceTurn = 0;
      await nextTurn();
    }
  }
}
