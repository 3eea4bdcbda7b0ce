// Screenshots of every explorer view, light and dark, at 1280x800 and 1600x1000: artifacts under
// test-results/ for a person to look at. Each shot first checks that the view shows what it
// should, so a broken view fails here rather than in a picture nobody opens.
import { expect, test, type Page } from '@playwright/test';
import { explorerFixture } from './explorer-fixture';
import { watchCspViolations } from './layer-expectations';
import { startStrataWeb, type StrataWeb } from './strata-web';

let server: StrataWeb | undefined;
let cspViolations: () => Promise<string[]>;

test.beforeEach(async ({ page }) => {
  cspViolations = await watchCspViolations(page);
});

test.afterEach(async () => {
  expect(await cspViolations(), 'Content-Security-Policy violations').toEqual([]);
  await server?.stop();
  server = undefined;
});

const tree = (page: Page) => page.getByRole('tree', { name: 'Files' });
const ready = (page: Page) =>
  expect(tree(page)).toHaveAttribute('aria-busy', 'false', { timeout: 60_000 });

async function shot(page: Page, name: string): Promise<void> {
  // Let transitions and late answers settle.
  await page.waitForTimeout(400);
  await page.screenshot({ path: test.info().outputPath(`${name}.png`) });
}

async function select(page: Page, path: string): Promise<void> {
  const names = path.split('/').filter(Boolean);
  for (const [i, name] of names.entries()) {
    const row = tree(page)
      .getByRole('treeitem', { name: new RegExp(`^${name.replace(/\./g, '\\.')}(,| →|$)`) })
      .first();
    // A row the list re-renders under the pointer can miss a click: click until it is selected.
    await expect(async () => {
      await row.click();
      await expect(row).toHaveAttribute('aria-selected', 'true', { timeout: 1_000 });
    }).toPass({ timeout: 15_000 });
    if (i < names.length - 1 && (await row.getAttribute('aria-expanded')) !== 'true') {
      await page.keyboard.press('ArrowRight');
      await expect(row).toHaveAttribute('aria-expanded', 'true');
      await ready(page);
    }
  }
}

for (const scheme of ['light', 'dark'] as const) {
  test(`every view of the demo image, ${scheme}`, async ({ page }) => {
    test.setTimeout(180_000);
    await page.emulateMedia({ colorScheme: scheme });
    await page.setViewportSize({ width: 1280, height: 800 });
    server = await startStrataWeb();
    await page.goto(server.url);
    await expect(page.getByTestId('drop-zone')).toBeVisible();
    await shot(page, `${scheme}-home-1280`);

    await page.getByTestId('open-demo').click();
    await expect(tree(page)).toBeVisible({ timeout: 60_000 });
    await ready(page);
    await shot(page, `${scheme}-files-layer0-1280`);

    // A command longer than its two lines offers the rest; a short one does not.
    const long = page.getByRole('option').filter({ hasText: 'apk add --no-progress' });
    await expect(long.getByRole('button', { name: 'Show all of the command' })).toBeVisible();
    const short = page.getByRole('option').filter({ hasText: 'dir:8f1e2a7c' });
    await expect(short.getByRole('button', { name: /of the command/ })).toHaveCount(0);

    await page.getByRole('option').filter({ hasText: 'dir:8f1e2a7c' }).click();
    await ready(page);
    await page.getByRole('radio', { name: 'Whole file system' }).check();
    await ready(page);
    await page.getByRole('button', { name: 'Expand all' }).click();
    await ready(page);
    await select(page, '/app/package.json');
    await expect(page.getByTestId('text-contents')).toBeVisible();
    await shot(page, `${scheme}-files-text-1280`);

    await page.getByRole('option').filter({ hasText: 'rm -rf' }).click();
    await ready(page);
    await select(page, '/app/public/logo.svg');
    await expect(page.getByRole('img', { name: 'Preview of logo.svg' })).toBeVisible();
    await shot(page, `${scheme}-files-svg-1280`);

    await select(page, '/bin/busybox');
    await expect(page.getByTestId('hex-contents')).toBeVisible();
    await shot(page, `${scheme}-files-hex-1280`);

    await page.setViewportSize({ width: 1600, height: 1000 });
    await select(page, '/app/package.json');
    await expect(page.getByTestId('text-contents')).toBeVisible();
    await shot(page, `${scheme}-files-text-1600`);

    await page.getByRole('tab', { name: /Waste/ }).click();
    await expect(page.getByRole('list', { name: 'Paths that waste space' })).toBeVisible();
    await shot(page, `${scheme}-waste-1600`);

    await page.getByRole('tab', { name: 'Size map' }).click();
    await expect(page.getByRole('group', { name: /Largest entries of \// })).toBeVisible();
    await shot(page, `${scheme}-size-map-1600`);
    await page.setViewportSize({ width: 1280, height: 800 });
    await shot(page, `${scheme}-size-map-1280`);

    await page.getByRole('tab', { name: /Waste/ }).click();
    await shot(page, `${scheme}-waste-1280`);

    await page.getByRole('button', { name: /^Home/ }).click();
    await expect(page.getByTestId('drop-zone')).toBeVisible();
    await shot(page, `${scheme}-home-with-tabs-1280`);
  });
}

test('the 100k-file image, filtered, with a PNG open', async ({ page }) => {
  test.setTimeout(180_000);
  const archive = await explorerFixture();
  await page.setViewportSize({ width: 1600, height: 1000 });
  server = await startStrataWeb([archive]);
  await page.goto(server.url);
  await expect(tree(page)).toBeVisible({ timeout: 90_000 });
  await ready(page);
  await page.getByRole('radio', { name: 'Whole file system' }).check();
  await ready(page);
  await page.getByRole('searchbox', { name: 'Filter files' }).fill('s3/f00');
  await expect(page.getByTestId('filter-matches')).toHaveText('1,000 matches');
  await ready(page);
  await shot(page, 'light-100k-filtered-1600');
  await page.getByRole('searchbox', { name: 'Filter files' }).fill('');
  await ready(page);
  await page.getByRole('option').filter({ hasText: 'COPY dir:app' }).click();
  await ready(page);
  await select(page, '/app/logo.png');
  await expect(page.getByRole('img', { name: 'Preview of logo.png' })).toBeVisible();
  await shot(page, 'light-100k-png-1600');
  await page.emulateMedia({ colorScheme: 'dark' });
  await shot(page, 'dark-100k-png-1600');
});
