// Layers as colours, for the size map: a fixed palette of distinct hues (tokens.css defines
// --layer-c0 .. --layer-c9 for light and dark), cycled when an image has more layers.

export const LAYER_COLOURS = 10;

/** The CSS class that colours something as layer `layer`. */
export function layerColourClass(layer: number): string {
  return `layer-c${((layer % LAYER_COLOURS) + LAYER_COLOURS) % LAYER_COLOURS}`;
}
