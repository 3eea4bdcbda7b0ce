// `strata ls` on interned paths: the file system as of a layer, with what that layer did to each
// path, as listLayer gives it from the image model (the tests compare them).
import { byPath, listedEntry, type ListedEntry } from '../image/layer-view';
import { CHANGES, REMOVED, UNCHANGED } from './column-stack';
import type { ImageColumns } from './load-columns';

/**
 * Every path as of the layer the image was loaded to list (its last), plus those it removed,
 * sorted by path; or only what it changed.
 */
export function listColumns(image: ImageColumns, onlyChanges = false): ListedEntry[] {
  const { stack } = image;
  const { tree } = stack;
  const layer = image.columns.length - 1;
  const changes = image.changes[layer]!;
  const columns = image.columns[layer]!;
  const out: ListedEntry[] = [];
  const add = (node: number, placed: number, code: number): void => {
    const path = tree.pathOf(node);
    out.push(listedEntry(path, stack.entryOf(placed, path), CHANGES[code]!));
  };
  // The layer's change of each node it touched: by entry position, or by node.
  const codes = new Uint8Array(tree.size);
  if (changes.codes) changes.codes.forEach((code, at) => (codes[columns.node[at]!] = code));
  else for (const [node, code] of changes.byNode!) codes[node] = code;
  if (onlyChanges) {
    const touched = changes.codes ? columns.node : changes.byNode!.keys();
    for (const node of touched)
      if (codes[node] !== UNCHANGED && codes[node] !== REMOVED)
        add(node, stack.placedAt(node), codes[node]!);
  } else stack.forEachPlaced((node, placed) => add(node, placed, codes[node]!));
  for (const [node, code] of changes.byNode ?? [])
    if (code === REMOVED) add(node, changes.before!.get(node)!, REMOVED);
  return out.sort(byPath);
}
