// Previews never run what they show: an image holding a Trojan Source file, a file whose name
// hides its extension with a bidi control, an HTML page with a script and a javascript: link,
// and an SVG with a script, opened through `strata web` in Debian's Chromium. Text is shown as
// text (bidi controls as visible markers, in names and paths too), SVG only as an <img>; a
// window flag the hostile files would set stays unset, and no CSP violation is even attempted.
import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { packTar } from '../src-main/core/tar/pack-tar';
import { demo, legacyArchive, tempArchive } from '../src-main/core/testing/layouts';
import { watchCspViolations } from './layer-expectations';
import { startStrataWeb, type StrataWeb } from './strata-web';

/** Trojan Source (CVE-2021-42574): the comment hides that the return runs for everyone. */
const TROJAN = [
  '#!/usr/bin/env node',
  'var isAdmin = false;',
  '/*\u202e } \u2066if (isAdmin)\u2069 \u2066 begin admins only */',
  "  console.log('You are an admin.');",
  '/* end admins only \u202e { \u2066*/\u2069',
  'const label = "\u200fabc\u200e\u061c";',
  '',
].join('\n');

const HTML = [
  '<!doctype html>',
  '<title>hostile</title>',
  '<script>window.__strataPwned = "script";</script>',
  '<a href="javascript:window.__strataPwned = \'link\'">click me</a>',
  '<img src="x" onerror="window.__strataPwned = \'onerror\'">',
  '',
].join('\n');

const SVG = [
  '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20" onload="window.__strataPwned = \'svg onload\'">',
  '  <script>window.__strataPwned = "svg script";</script>',
  '  <rect width="40" height="20" fill="#5150d6"/>',
  '</svg>',
  '',
].join('\n');

let server: StrataWeb | undefined;
let archive: string;

test.beforeAll(async () => {
  const image = await demo();
  const layer = await packTar([
    { name: 'app/', type: 'directory' },
    { name: 'app/trojan.js', body: TROJAN },
    { name: 'app/page.html', body: HTML },
    { name: 'app/evil.svg', body: SVG },
    // Shown naively this reads "invoice_gpj.exe" as "invoice_exe.jpg".
    { name: 'app/invoice_\u202egpj.exe', body: 'MZ' },
    { name: 'app/photo', type: 'symlink', linkname: 'invoice_\u202egpj.exe' },
  ]);
  const config = JSON.parse(image.config) as {
    rootfs: { diff_ids: string[] };
    history: object[];
  };
  config.rootfs.diff_ids = [`sha256:${createHash('sha256').update(layer).digest('hex')}`];
  config.history = [{ created_by: 'COPY hostile /app' }];
  const bytes = await legacyArchive({ ...image, layers: [layer], config: JSON.stringify(config) });
  archive = tempArchive(bytes, 'previews.tar');
});

test.afterAll(async () => {
  await server?.stop();
  if (archive) await rm(dirname(archive), { recursive: true, force: true });
});

const tree = (page: Page) => page.getByRole('tree', { name: 'Files' });
const inspector = (page: Page) => page.getByRole('complementary', { name: 'Inspector' });
const pwned = (page: Page) =>
  page.evaluate(() => (globalThis as unknown as { __strataPwned?: string }).__strataPwned ?? null);

async function select(page: Page, name: string): Promise<void> {
  const app = tree(page).getByRole('treeitem', { name: /^app(,|$)/ });
  if ((await app.getAttribute('aria-expanded')) !== 'true') {
    await app.click();
    await page.keyboard.press('ArrowRight');
    await expect(app).toHaveAttribute('aria-expanded', 'true');
  }
  const row = tree(page).getByRole('treeitem', {
    name: new RegExp(`^${name.replace('.', '\\.')}`),
  });
  await row.click();
  await expect(row).toHaveAttribute('aria-selected', 'true');
}

test('previews show text as text, bidi controls as markers, and SVG only as an image', async ({
  page,
}) => {
  const cspViolations = await watchCspViolations(page);
  await page.setViewportSize({ width: 1440, height: 900 });
  server = await startStrataWeb([archive]);
  await page.goto(server.url);
  await expect(tree(page)).toBeVisible({ timeout: 30_000 });

  // Trojan Source: every control is a marker where it stands; none reaches the page as a character.
  await select(page, 'trojan.js');
  const contents = inspector(page).getByTestId('text-contents');
  await expect(contents).toBeVisible();
  const markers = contents.getByTestId('bidi-control');
  await expect(markers).toHaveCount(10);
  await expect(markers.first()).toHaveText('⟨RLO⟩');
  await expect(markers.first()).toHaveAttribute('title', 'U+202E RIGHT-TO-LEFT OVERRIDE');
  await expect(contents.getByTestId('bidi-note')).toHaveText('· 10 bidi controls shown as ⟨…⟩');
  const list = contents.getByRole('list', { name: /Contents of/ });
  await expect(list).toContainText('/*⟨RLO⟩ } ⟨LRI⟩if (isAdmin)⟨PDI⟩ ⟨LRI⟩ begin admins only */');
  await expect(list).toContainText('const label = "⟨RLM⟩abc⟨LRM⟩⟨ALM⟩";');
  const shownText = await list.evaluate(
    (el) => (el as unknown as { textContent: string }).textContent,
  );
  expect(shownText).not.toMatch(/[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/);
  // The markers stand out: their own colour and box, not the code's.
  const style = await markers.first().evaluate((el) => {
    const css = (
      globalThis as unknown as { getComputedStyle(e: unknown): Record<string, string> }
    ).getComputedStyle(el);
    return { colour: css.color, background: css.backgroundColor };
  });
  expect(style.background).not.toBe('rgba(0, 0, 0, 0)');
  await page.screenshot({ path: test.info().outputPath('preview-trojan-source.png') });

  // HTML: its source as text; no element of it in the page, no link that runs.
  await select(page, 'page.html');
  await expect(contents).toContainText('<script>window.__strataPwned = "script";</script>');
  await expect(contents).toContainText(`<a href="javascript:window.__strataPwned = 'link'">`);
  await expect(contents.locator('script, a, img, iframe, object, embed')).toHaveCount(0);
  await expect(page.locator('a[href^="javascript:"]')).toHaveCount(0);
  await contents.getByText('click me').click();
  expect(await pwned(page)).toBeNull();

  // SVG: an <img> of a blob: URL (scripts in an image never run), not the markup in the page.
  await select(page, 'evil.svg');
  const preview = inspector(page).getByTestId('image-preview');
  await expect(preview).toContainText('SVG image · 40 × 20 px');
  const img = preview.locator('img');
  await expect(img).toHaveAttribute('src', /^blob:/);
  await expect(preview.locator('svg, object, iframe, embed, script')).toHaveCount(0);
  expect(await pwned(page)).toBeNull();
  await page.screenshot({ path: test.info().outputPath('preview-svg.png') });

  // A name that hides its extension: the control is a marker in the tree, in the link target
  // that points at it, and in the inspector's title and path.
  const name = tree(page)
    .getByRole('treeitem', { name: /^invoice_/ })
    .getByTestId('tree-name');
  await expect(name).toHaveText('invoice_⟨RLO⟩gpj.exe');
  await expect(name.getByTestId('bidi-control')).toHaveAttribute(
    'title',
    'U+202E RIGHT-TO-LEFT OVERRIDE',
  );
  await expect(tree(page).getByRole('treeitem', { name: /^photo/ })).toContainText(
    '→ invoice_⟨RLO⟩gpj.exe',
  );
  await select(page, 'invoice_');
  await expect(inspector(page).getByRole('heading', { level: 2 })).toHaveText(
    'invoice_⟨RLO⟩gpj.exe',
  );
  await expect(inspector(page).getByTestId('inspector-path')).toHaveText(
    '/app/invoice_⟨RLO⟩gpj.exe',
  );
  await expect(page.locator('[aria-current="location"]')).toHaveText('invoice_⟨RLO⟩gpj.exe');
  await page.screenshot({ path: test.info().outputPath('bidi-name.png') });

  // Nothing hostile even tried to run (an inline handler would be a CSP violation).
  expect(await page.locator('script:not([type="module"])').count()).toBe(0);
  expect(await cspViolations()).toEqual([]);
  expect(await pwned(page)).toBeNull();
});
