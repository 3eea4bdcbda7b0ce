// Which paths the wasted bytes belong to (DESIGN.md: wasted = stored - visible). Every stored
// copy of a path that is not the copy the final file system shows is waste: deleted content,
// content overwritten by a later layer, and identical copies stored again.
import type { WasteKind, WastedPath } from '../../api/explorer';
import type { ImageModel } from '../image/load-image';
import { entryDigest } from '../layer/content';
import type { LayerEntry } from '../layer/layer-index';
import type { Placed } from '../tree/merged-tree';

export async function wastedPaths(model: ImageModel): Promise<WastedPath[]> {
  const copies = new Map<string, { layer: number; entry: LayerEntry }[]>();
  model.indexes.forEach((index, layer) => {
    for (const entry of index.entries) {
      if (entry.type !== 'file' || entry.size === 0) continue;
      let list = copies.get(entry.path);
      if (!list) copies.set(entry.path, (list = []));
      list.push({ layer, entry });
    }
  });
  const out: WastedPath[] = [];
  for (const [path, list] of copies) {
    const final = model.tree.get(path)?.placed;
    const visible = final && final.entry.type === 'file' ? final : null;
    const stored = list.reduce((sum, c) => sum + c.entry.size, 0);
    const wastedBytes = stored - (visible ? visible.entry.size : 0);
    if (wastedBytes <= 0) continue;
    let kind: WasteKind = 'deleted';
    if (visible)
      kind = (await sameContentEverywhere(model, list, visible)) ? 'duplicated' : 'overwritten';
    const stores = list.map(({ layer, entry }) => ({ layer, size: entry.size }));
    out.push({ path, kind, wastedBytes, copies: stores });
  }
  return out.sort((a, b) => b.wastedBytes - a.wastedBytes || (a.path < b.path ? -1 : 1));
}

/** True when every stored copy holds the bytes the final file shows (a chown -R, a re-COPY). */
async function sameContentEverywhere(
  model: ImageModel,
  copies: { layer: number; entry: LayerEntry }[],
  visible: Placed,
): Promise<boolean> {
  if (copies.some((c) => c.entry.size !== visible.entry.size)) return false;
  const want = await entryDigest(model.layers[visible.layer]!, visible.entry);
  for (const c of copies) {
    if ((await entryDigest(model.layers[c.layer]!, c.entry)) !== want) return false;
  }
  return true;
}
