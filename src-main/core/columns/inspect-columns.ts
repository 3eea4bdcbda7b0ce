// `inspect` of an image on interned paths: the summary and the findings of loadColumns' model,
// the same as those of the image model (the tests compare them on every fixture).
import type { Finding } from '../../api/findings';
import type { InspectResult } from '../../api/model';
import { findingsIn, type EntryCursor } from '../analysis/findings';
import { commandsOf, summaryOf } from '../inspect';
import type { Placed } from '../tree/merged-tree';
import { layerOf, positionOf } from './column-stack';
import { FILE, TYPES } from './layer-columns';
import type { ImageColumns } from './load-columns';

export function summarizeColumns(image: ImageColumns): InspectResult {
  if (!image.dive) throw new Error(`${image.path}: loaded to list a layer, not to be summarised`);
  const { dive } = image;
  return summaryOf({
    resolved: image.resolved,
    layers: image.metas.map((meta, i) => ({
      diffId: meta.diffId,
      size: meta.size,
      notes: [...meta.notes, ...image.changes[i]!.notes],
      counts: image.changes[i]!.counts(),
    })),
    totals: image.stack.totals(),
    dive,
  });
}

export function findingsOfColumns(image: ImageColumns): Promise<Finding[]> {
  const { stack, columns } = image;
  const { tree } = stack;
  return findingsIn({
    layerCount: columns.length,
    commands: commandsOf(image.resolved, columns.length),
    entries: (layer) => entriesOf(image, layer),
    contentScans: (layer) => image.metas[layer]!.contentScans,
    stored: (layer) => image.layers[layer]!,
    filesWithModeBits(bits) {
      const found: Placed[] = [];
      stack.forEachPlaced((node, placed) => {
        const at = positionOf(placed);
        const layer = stack.columnsOf(placed);
        if (layer && layer.type[at] === FILE && layer.mode[at]! & bits)
          found.push({ entry: layer.entryAt(at, tree.pathOf(node)), layer: layerOf(placed) });
      });
      return found;
    },
    changesFor: (layer, paths) => image.changes[layer]!.changesFor(paths, tree, columns[layer]!),
  });
}

/** A cursor over a layer's entries: a path or an entry object is made only where asked for. */
function* entriesOf(image: ImageColumns, layer: number): Generator<EntryCursor> {
  const columns = image.columns[layer]!;
  const { tree } = image.stack;
  let at = 0;
  const cursor: EntryCursor = {
    dir: '',
    name: '',
    type: 'file',
    size: 0,
    entry: () => columns.entryAt(at, cursor.dir + cursor.name),
  };
  // Entries come grouped by directory: a run of them makes its directory's path once.
  const dirOf = tree.dirPaths();
  for (; at < columns.count; at++) {
    const node = columns.node[at]!;
    cursor.dir = dirOf(node);
    cursor.name = tree.nameOf(node);
    cursor.type = TYPES[columns.type[at]!]!;
    cursor.size = columns.size[at]!;
    yield cursor;
  }
}
