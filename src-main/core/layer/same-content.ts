// Whether pairs of same-size files hold the same bytes: by their digests where both are known;
// byte for byte where both lie in plain layers read by position, in the order the first files lie
// in their layers, through read windows (a read per window, not per file); else by digests
// computed now, a few files at a time (each may need a layer streamed).
import {
  entryDigest,
  LAYER_WINDOW_BYTES,
  LayerWindow,
  sameBytesByPieces,
  type StoredLayer,
} from './content';
import type { LayerEntry } from './layer-index';
import { nextTurn } from '../io/next-turn';

/** A file as one layer stores it. */
export interface StoredFile {
  layer: StoredLayer;
  entry: LayerEntry;
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

const readByPosition = (layer: StoredLayer): boolean =>
  layer.compression === 'none' && layer.blob.source.readInto !== undefined;

/** For each pair, whether both files hold the same bytes (files of different sizes do not). */
export async function sameContents(
  pairs: readonly (readonly [StoredFile, StoredFile])[],
): Promise<boolean[]> {
  const same = new Array<boolean>(pairs.length).fill(false);
  const direct: number[] = [];
  const hashed: number[] = [];
  pairs.forEach(([x, y], i) => {
    if (x.entry.size !== y.entry.size) return;
    if (x.entry.sha256 && y.entry.sha256) same[i] = x.entry.sha256 === y.entry.sha256;
    else if (readByPosition(x.layer) && readByPosition(y.layer)) direct.push(i);
    else hashed.push(i);
  });
  await compareInOrder(pairs, direct, same);
  for (let at = 0; at < hashed.length; at += HASHED_AT_ONCE) {
    await Promise.all(
      hashed.slice(at, at + HASHED_AT_ONCE).map(async (i) => {
        const [x, y] = pairs[i]!;
        const digests = await Promise.all([
          entryDigest(x.layer, x.entry),
          entryDigest(y.layer, y.entry),
        ]);
        same[i] = digests[0] === digests[1];
      }),
    );
  }
  return same;
}

async function compareInOrder(
  pairs: readonly (readonly [StoredFile, StoredFile])[],
  which: number[],
  same: boolean[],
): Promise<void> {
  if (!which.length) return;
  // Each side reads through windows of its own, so the two files compared are never in one buffer.
  const windowsOf = () => {
    const windows = new Map<StoredLayer, LayerWindow>();
    return (layer: StoredLayer): LayerWindow => {
      let window = windows.get(layer);
      if (!window) windows.set(layer, (window = new LayerWindow(layer)));
      return window;
    };
  };
  const [first, second] = [windowsOf(), windowsOf()];
  const layerOrder = new Map<StoredLayer, number>();
  for (const i of which) {
    const layer = pairs[i]![0].layer;
    if (!layerOrder.has(layer)) layerOrder.set(layer, layerOrder.size);
  }
  const order = [...which].sort((i, j) => {
    const [x, y] = [pairs[i]![0], pairs[j]![0]];
    return (
      layerOrder.get(x.layer)! - layerOrder.get(y.layer)! || x.entry.dataOffset - y.entry.dataOffset
    );
  });
  let pieces: [Buffer, Buffer] | undefined;
  let sinceTurn = 0;
  let filesSinceTurn = 0;
  for (const i of order) {
    const [x, y] = pairs[i]!;
    if (x.entry.size > LAYER_WINDOW_BYTES) {
      pieces ??= [Buffer.allocUnsafe(PIECE_BYTES), Buffer.allocUnsafe(PIECE_BYTES)];
      same[i] = sameBytesByPieces(x, y, pieces);
    } else same[i] = first(x.layer).bytes(x.entry).equals(second(y.layer).bytes(y.entry));
    sinceTurn += x.entry.size;
    if (sinceTurn >= BYTES_PER_TURN || ++filesSinceTurn >= FILES_PER_TURN) {
      sinceTurn = filesSinceTurn = 0;
      await nextTurn();
    }
  }
}
