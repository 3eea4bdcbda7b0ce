// Which paths the wasted bytes belong to (DESIGN.md: wasted = stored - visible). Every stored
// copy of a path that is not the copy the final file system shows is waste: deleted content,
// content overwritten by a later layer, and identical copies stored again.
import type { WastedPath } from '../../api/explorer';
import type { ImageModel } from '../image/load-image';
import { FilePairs, sameContents } from '../layer/same-content';
import type { LayerEntry } from '../layer/layer-index';
import { nextTurn } from '../io/next-turn';

/** Paths looked at between turns of the event loop (the service answers meanwhile). */
const ENTRIES_PER_TURN = 16_384;

export async function wastedPaths(model: ImageModel): Promise<WastedPath[]> {
  const copies = new Map<string, { layer: number; entry: LayerEntry }[]>();
  let sinceTurn = 0;
  for (const [layer, index] of model.indexes.entries()) {
    for (const entry of index.entries) {
      if (++sinceTurn === ENTRIES_PER_TURN) {
        sinceTurn = 0;
        await nextTurn();
      }
      if (entry.type !== 'file' || entry.size === 0) continue;
      let list = copies.get(entry.path);
      if (!list) copies.set(entry.path, (list = []));
      list.push({ layer, entry });
    }
  }
  const out: WastedPath[] = [];
  /** Stored copies the same size as the file shown, to be compared with it. */
  const inQuestion: { found: WastedPath; pairs: number }[] = [];
  const pairs = new FilePairs();
  for (const [path, list] of copies) {
    if (++sinceTurn === ENTRIES_PER_TURN) {
      sinceTurn = 0;
      await nextTurn();
    }
    const final = model.tree.get(path)?.placed;
    const visible = final && final.entry.type === 'file' ? final : null;
    const bytes = list.reduce((sum, c) => sum + c.entry.size, 0);
    const wastedBytes = bytes - (visible ? visible.entry.size : 0);
    if (wastedBytes <= 0) continue;
    const copiesOf = list.map(({ layer, entry }) => ({ layer, size: entry.size }));
    const found: WastedPath = {
      path,
      kind: visible ? 'overwritten' : 'deleted',
      wastedBytes,
      copies: copiesOf,
    };
    out.push(found);
    if (!visible || list.some((c) => c.entry.size !== visible.entry.size)) continue;
    // Every stored copy holding the bytes shown (a chown -R, a re-COPY): duplicated.
    const shown = model.layers[visible.layer]!;
    const others = list.filter((c) => c.entry !== visible.entry);
    for (const c of others) pairs.add(shown, visible.entry, model.layers[c.layer]!, c.entry);
    inQuestion.push({ found, pairs: others.length });
  }
  const same = await sameContents(pairs);
  let at = 0;
  for (const { found, pairs: count } of inQuestion) {
    if (same.slice(at, at + count).every(Boolean)) found.kind = 'duplicated';
    at += count;
  }
  return out.sort((a, b) => b.wastedBytes - a.wastedBytes || (a.path < b.path ? -1 : 1));
}
