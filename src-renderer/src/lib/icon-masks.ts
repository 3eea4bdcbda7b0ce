// Icons as CSS mask images, for lists that draw one per row: a row's icon is then its element's
// background (currentColor) through the mask, with no element per icon and path.
//
// The masks are bitmaps drawn once at the size they are shown in device pixels. Chromium lays out
// and paints an SVG mask image for every element that shows it (a small SVG document each), which
// made the rows' layout and paint about twice as long when a directory of 10,000 files opened; a
// bitmap mask is painted as a bitmap. The SVG form is the fallback where no canvas can draw.
import { ICON_PATHS, type IconName } from './icon-paths';

/** Pixels of the 16-unit grid the paths are drawn on. */
const GRID = 16;

/** The icon as a CSS url() of an SVG image (any size, drawn by the browser per element). */
function svgMask(name: IconName): string {
  const paths = ICON_PATHS[name].map((d) => `<path d='${d}'/>`).join('');
  const svg =
    `<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 ${GRID} ${GRID}' fill='none' stroke='black'` +
    ` stroke-width='1.5' stroke-linecap='round' stroke-linejoin='round'>${paths}</svg>`;
  return `url("data:image/svg+xml,${encodeURIComponent(svg)}")`;
}

/**
 * The icon as a CSS url() of a PNG for an element `cssPixels` wide on a screen of `pixelRatio`
 * device pixels per CSS pixel; the SVG form when the page has no 2D canvas.
 */
function bitmapMask(name: IconName, cssPixels: number, pixelRatio: number): string {
  const size = Math.max(1, Math.round(cssPixels * pixelRatio));
  const canvas = document.createElement('canvas');
  canvas.width = size;
  canvas.height = size;
  const context = canvas.getContext('2d');
  if (!context) return svgMask(name);
  context.scale(size / GRID, size / GRID);
  context.lineWidth = 1.5;
  context.lineCap = 'round';
  context.lineJoin = 'round';
  context.strokeStyle = 'black';
  for (const d of ICON_PATHS[name]) context.stroke(new Path2D(d));
  return `url("${canvas.toDataURL('image/png')}")`;
}

/** The icons of the file tree's rows, keyed as its CSS variables name them (--icon-KEY). */
const TREE_ICONS = {
  chevron: { name: 'chevron-right', cssPixels: 12 },
  file: { name: 'file', cssPixels: 14 },
  folder: { name: 'folder', cssPixels: 14 },
  link: { name: 'link', cssPixels: 14 },
  device: { name: 'device', cssPixels: 14 },
  pipe: { name: 'pipe', cssPixels: 14 },
} as const satisfies Record<string, { name: IconName; cssPixels: number }>;

const drawn = new Map<number, string>();

/**
 * The tree's masks for a pixel ratio as CSS variables (`--icon-chevron: url(...); ...`) for the
 * element that holds the rows: drawn on first use and kept (a few kB each).
 */
export function treeIconVariables(pixelRatio: number): string {
  let variables = drawn.get(pixelRatio);
  if (variables === undefined) {
    variables = Object.entries(TREE_ICONS)
      .map(([key, icon]) => `--icon-${key}: ${bitmapMask(icon.name, icon.cssPixels, pixelRatio)}`)
      .join('; ');
    drawn.set(pixelRatio, variables);
  }
  return variables;
}
