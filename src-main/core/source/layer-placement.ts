// Where in the image each plain layer of a streaming export goes, when its name does not say its
// diff ID (`<id>/layer.tar`, a link's target): known from the manifest once it passes (after
// every layer), and before that from the legacy `<id>/json` files docker save writes beside each
// layer, whose `parent` chain gives each layer's depth, base 0, as soon as its ancestors' have
// passed. Both count layers the way the manifest lists them.
import { followLinks, type LinkedMember } from '../archive/archive';

const LEGACY_LAYER = /^([^/]+)\/layer\.tar$/;

/** `T`: what the caller keeps of each layer until it is placed (the export's: its index). */
export class LayerPlacement<T> {
  /** Each legacy folder's parent folder (null for the base), from its json. */
  private readonly parents = new Map<string, string | null>();
  /** Layers told but not yet placed, by the name of the member holding their bytes. */
  private readonly waiting = new Map<string, T>();

  constructor(
    private readonly memberOf: (name: string) => LinkedMember | undefined,
    private readonly onPlaced: (layer: T, position: number) => void,
  ) {}

  /** A layer was indexed whose name does not say its diff ID. */
  layer(member: string, layer: T): void {
    this.waiting.set(member, layer);
    this.placeByChain(member);
  }

  /** The parsed `<folder>/json` of a legacy layer folder. */
  legacyJson(folder: string, json: unknown): void {
    const parent = (json as { parent?: unknown } | null)?.parent;
    this.parents.set(folder, typeof parent === 'string' && parent !== '' ? parent : null);
    for (const member of this.waiting.keys()) this.placeByChain(member);
  }

  /** The parsed manifest.json: its first image's layers, in order. */
  manifest(json: unknown): void {
    const layers = (json as { Layers?: unknown }[] | null)?.[0]?.Layers;
    if (!Array.isArray(layers)) return;
    layers.forEach((name: unknown, position) => {
      if (typeof name !== 'string') return;
      const stored = followLinks(name, this.memberOf);
      if (stored !== null) this.place(stored, position);
    });
  }

  private placeByChain(member: string): void {
    const folder = LEGACY_LAYER.exec(member)?.[1];
    if (folder === undefined) return;
    let depth = 0;
    const seen = new Set([folder]);
    for (let at = this.parents.get(folder); at !== null; at = this.parents.get(at)) {
      if (at === undefined || seen.has(at)) return; // an ancestor not yet seen, or a loop
      seen.add(at);
      depth++;
    }
    this.place(member, depth);
  }

  private place(member: string, position: number): void {
    const layer = this.waiting.get(member);
    if (layer === undefined) return;
    this.waiting.delete(member);
    this.onPlaced(layer, position);
  }
}
