// The file tree's row icons are bitmap masks drawn for the screen's pixels (icon-masks.ts): an
// SVG mask costs Chromium a layout and paint of its own on every row that shows it.
import { expect, test, type Page } from '@playwright/test';
import { fixturePaths } from './fixtures';
import { startStrataWeb, type StrataWeb } from './strata-web';

let server: StrataWeb | undefined;

test.afterEach(async () => {
  await server?.stop();
  server = undefined;
});

interface Drawn {
  key: string;
  url: string;
  width: number;
  height: number;
  /** Pixels the icon's strokes cover (alpha over half). */
  inked: number;
}

/** The DOM the page function uses (e2e is typed without the DOM library). */
interface IconPage {
  document: {
    querySelector(selector: string): unknown;
    createElement(tag: 'canvas'): {
      width: number;
      height: number;
      getContext(kind: '2d'): {
        drawImage(image: unknown, x: number, y: number): void;
        getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
      };
    };
  };
  getComputedStyle(element: unknown): { getPropertyValue(name: string): string };
  Image: new () => {
    src: string;
    naturalWidth: number;
    naturalHeight: number;
    decode(): Promise<void>;
  };
}

/** Each icon mask the tree's rows are given, decoded in the page. */
function drawnIcons(page: Page): Promise<Drawn[]> {
  return page.evaluate(async () => {
    const win = globalThis as unknown as IconPage;
    const rows = win.document.querySelector('[data-testid="file-tree"] > .rows');
    const style = win.getComputedStyle(rows);
    const drawn: Drawn[] = [];
    for (const key of ['chevron', 'file', 'folder', 'link', 'device', 'pipe']) {
      const value = style.getPropertyValue(`--icon-${key}`).trim();
      const url = /^url\("?(.*?)"?\)$/.exec(value)?.[1] ?? '';
      const image = new win.Image();
      image.src = url;
      await image.decode();
      const canvas = win.document.createElement('canvas');
      canvas.width = image.naturalWidth;
      canvas.height = image.naturalHeight;
      const context = canvas.getContext('2d');
      context.drawImage(image, 0, 0);
      const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
      let inked = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i]! > 128) inked++;
      drawn.push({ key, url, width: image.naturalWidth, height: image.naturalHeight, inked });
    }
    return drawn;
  });
}

/** CSS pixels each icon is shown at (FileTreeRow.svelte's mask sizes). */
const SHOWN = { chevron: 12, file: 14, folder: 14, link: 14, device: 14, pipe: 14 } as const;

function expectDrawnFor(icons: Drawn[], pixelRatio: number): void {
  expect(icons.map((icon) => icon.key)).toEqual(Object.keys(SHOWN));
  for (const icon of icons) {
    const size = SHOWN[icon.key as keyof typeof SHOWN] * pixelRatio;
    expect(icon.url, icon.key).toMatch(/^data:image\/png;base64,/);
    expect([icon.width, icon.height], icon.key).toEqual([size, size]);
    // Strokes, not an empty or a filled square.
    expect(icon.inked, icon.key).toBeGreaterThan(size * 0.5);
    expect(icon.inked, icon.key).toBeLessThan(size * size * 0.6);
  }
}

test.describe('on a screen of two device pixels per CSS pixel', () => {
  test.use({ deviceScaleFactor: 2 });

  test('the rows show bitmap icons drawn at the size they are shown, redrawn when it changes', async ({
    page,
  }) => {
    server = await startStrataWeb([fixturePaths().fixtures.basic.archive]);
    await page.goto(server.url);
    const tree = page.getByRole('tree', { name: 'Files' });
    await expect(tree.getByRole('treeitem').first()).toBeVisible({ timeout: 90_000 });
    expectDrawnFor(await drawnIcons(page), 2);
    // The rows draw their type icon through the mask, in their colour.
    const icon = tree.locator('[data-testid="tree-row"] .type-icon').first();
    const maskOf = (el: unknown) =>
      (
        globalThis as unknown as { getComputedStyle(e: unknown): { maskImage: string } }
      ).getComputedStyle(el).maskImage;
    expect(await icon.evaluate(maskOf)).toMatch(/^url\("data:image\/png;base64,/);

    // Zoom, or a move to another screen: the masks are drawn again for the new pixels. (Chromium
    // tells an emulated change by the resize alone, hence a new size too.)
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Emulation.setDeviceMetricsOverride', {
      width: 1200,
      height: 700,
      deviceScaleFactor: 1,
      mobile: false,
    });
    await expect.poll(async () => (await drawnIcons(page))[1]?.width).toBe(14);
    expectDrawnFor(await drawnIcons(page), 1);
  });
});
