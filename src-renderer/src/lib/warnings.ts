// The image's warnings (InspectResult.warnings) as the image view shows them. The core writes a
// layer's own warnings as `layer N: what` (inspect.ts); any other text is about the whole image.
// Whatever reports a problem later (a blob digest that does not match, say) comes through the
// same list, so nothing here knows the kinds of warning: only the text and the optional layer.

export interface ImageWarning {
  /** The layer the warning is about (LayerSummary.index), or null for the image as a whole. */
  layer: number | null;
  /** The warning without its `layer N: ` prefix. */
  text: string;
}

const LAYER_PREFIX = /^layer (\d+): /;

export function parseWarning(warning: string): ImageWarning {
  const match = LAYER_PREFIX.exec(warning);
  if (!match) return { layer: null, text: warning };
  return { layer: Number(match[1]), text: warning.slice(match[0].length) };
}

/** Each layer's warnings, by layer index (layers with none are absent). */
export function warningsByLayer(warnings: readonly ImageWarning[]): Map<number, string[]> {
  const byLayer = new Map<number, string[]>();
  for (const { layer, text } of warnings) {
    if (layer === null) continue;
    const list = byLayer.get(layer);
    if (list) list.push(text);
    else byLayer.set(layer, [text]);
  }
  return byLayer;
}

const DIGEST = /\b(sha256|sha512):([0-9a-f]{12})[0-9a-f]{20,}\b/g;

/** Long digests cut to their first 12 hex digits (the full text goes in a tooltip). */
export function shortenDigests(text: string): string {
  return text.replace(DIGEST, '$1:$2…');
}
