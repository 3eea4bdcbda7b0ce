// Compare end to end: `strata web` over the real core with the engine-built pair compare-v1 and
// compare-v2 (fixtures/images/compare.ts), in Debian's Chromium. Two images chosen on Home, or
// "Compare with…" from an open image; the layer alignment, the summary, the file diff of the
// edited file, the config and history tables; a screenshot of each view in light and dark.
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { fixturePaths } from './fixtures';
import { COMPARE_EXPECTED } from './fixtures/images/compare';
import { watchCspViolations } from './layer-expectations';
import { startStrataWeb, type StrataWeb } from './strata-web';

let v1: string;
let v2: string;
let server: StrataWeb | undefined;
let cspViolations: () => Promise<string[]>;

test.beforeAll(() => {
  v1 = fixturePaths().fixtures['compare-v1'].archive;
  v2 = fixturePaths().fixtures['compare-v2'].archive;
});

test.beforeEach(async ({ page }) => {
  cspViolations = await watchCspViolations(page);
  await page.setViewportSize({ width: 1440, height: 900 });
});

test.afterEach(async () => {
  expect(await cspViolations(), 'Content-Security-Policy violations').toEqual([]);
  await server?.stop();
  server = undefined;
});

/** Saves the page in light and dark under test-results (and a copy where STRATA_SHOTS says). */
async function shoot(page: Page, name: string): Promise<void> {
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    const path = test.info().outputPath(`${name}-${scheme}.png`);
    await page.screenshot({ path, animations: 'disabled' });
    const copies = process.env.STRATA_SHOTS;
    if (copies) {
      await mkdir(copies, { recursive: true });
      await copyFile(path, join(copies, `${name}-${scheme}.png`));
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

const view = (page: Page) => page.getByTestId('compare-view');
const tab = (page: Page, name: string) =>
  view(page).getByRole('tab', { name: new RegExp(`^${name}`) });
const tree = (page: Page) => view(page).getByRole('tree', { name: 'Files' });
const item = (page: Page, name: string) =>
  tree(page).getByRole('treeitem', { name: new RegExp(`^${name.replace('.', '\\.')}(,|$)`) });

/** Starts `strata web v1 v2` and compares them from Home. */
async function compareFromHome(page: Page): Promise<void> {
  server = await startStrataWeb([v1, v2]);
  await page.goto(server.url);
  const chooser = page.getByTestId('compare-chooser');
  await expect(chooser).toBeVisible({ timeout: 60_000 });
  await chooser.getByLabel('Image A').selectOption({ label: 'strata-fixture/compare:1' });
  await chooser.getByLabel('Image B').selectOption({ label: 'strata-fixture/compare:2' });
  await shoot(page, 'compare-home-chooser');
  await chooser.getByRole('button', { name: 'Compare' }).click();
  await expect(view(page).getByTestId('compare-summary')).toBeVisible({ timeout: 60_000 });
}

async function treeReady(page: Page): Promise<void> {
  await expect(tree(page)).toHaveAttribute('aria-busy', 'false', { timeout: 60_000 });
}

test('two images compared from Home: summary, layer alignment, file diff, config, history', async ({
  page,
}) => {
  await compareFromHome(page);
  await expect(page).toHaveTitle('strata-fixture/compare:1 ⇄ strata-fixture/compare:2 — Strata');
  await expect(page.getByTestId('compare-side-a')).toContainText('strata-fixture/compare:1');
  await expect(page.getByTestId('compare-side-b')).toContainText('strata-fixture/compare:2');

  // The summary: one added, two modified, one removed; the shared base; efficiency and waste.
  const summary = view(page).getByTestId('compare-summary');
  await expect(summary.getByTestId('stat-added')).toHaveText(/\+1/);
  await expect(summary.getByTestId('stat-modified')).toHaveText(/~2/);
  await expect(summary.getByTestId('stat-removed')).toHaveText(/−1/);
  await expect(summary.getByTestId('stat-layers')).toContainText(
    `${COMPARE_EXPECTED.sharedLayers} layers`,
  );
  await expect(summary.getByTestId('stat-layers')).toContainText('of 5 in A and 6 in B');
  await expect(summary.getByTestId('stat-efficiency')).toContainText('%');
  await expect(summary.getByTestId('stat-waste')).toContainText('B');

  // The alignment: the shared base once, then the divergent steps side by side.
  const alignment = view(page).getByTestId('layer-alignment');
  await expect(alignment.getByTestId('alignment-shared')).toContainText('Shared base: 3 layers');
  await expect(alignment.getByTestId('alignment-departure')).toContainText(
    'The builds depart here',
  );
  await expect(alignment.getByTestId('alignment-departure')).toContainText('ENV APP_MODE=beta');
  const rows = alignment.getByTestId('alignment-row');
  await expect(rows).toHaveCount(3);
  expect(
    await rows.evaluateAll((list) => list.map((row) => row.getAttribute('data-kind'))),
  ).toEqual(['different step', 'same step', 'only in B']);
  await expect(rows.nth(2)).toContainText('RUN rm /app/legacy.txt');
  await expect(rows.nth(2)).toContainText('no layer');
  // The shared layers open on request, each listed once.
  await alignment.getByRole('button', { name: /Shared base/ }).click();
  await expect(rows).toHaveCount(6);
  await expect(rows.first()).toHaveAttribute('data-kind', 'shared');
  await expect(view(page).getByTestId('largest-growths')).toContainText('/app/CHANGELOG.md');
  await shoot(page, 'compare-overview');

  // Files: only the differences, each marked with what changed.
  await tab(page, 'Files').click();
  await treeReady(page);
  await view(page).getByRole('button', { name: 'Expand all' }).click();
  await treeReady(page);
  for (const expected of COMPARE_EXPECTED.files) {
    const name = expected.path.slice(expected.path.lastIndexOf('/') + 1);
    const row = item(page, name);
    await expect(row).toHaveAttribute('data-change', expected.change);
    await expect(row.getByTestId('tree-aspects')).toHaveText(expected.aspects.join(''));
  }
  await expect(item(page, 'settings.conf').getByTestId('tree-delta')).toHaveText(/^\+\d+ B$/);

  // The edited file: a side-by-side text diff with line numbers and the changed words.
  await item(page, 'settings.conf').click();
  const diff = view(page).getByTestId('file-diff');
  await expect(diff.getByTestId('file-diff-path')).toHaveText('/app/config/settings.conf');
  await expect(diff.getByTestId('file-diff-change')).toHaveText('Differs');
  const text = diff.getByTestId('text-diff');
  await expect(text).toHaveAttribute('data-layout', 'split');
  const changed = text.locator('[data-testid="diff-row"][data-kind="changed"]');
  await expect(changed.first()).toBeVisible();
  const workers = changed.filter({ hasText: 'workers = 2' });
  await expect(workers).toHaveCount(1);
  await expect(workers.getByRole('cell')).toHaveText([
    'A line 7',
    'removed: workers = 2',
    'B line 7',
    'added: workers = 4',
  ]);
  await expect(workers.locator('mark')).toHaveText(['2', '4']);
  await expect(text.getByTestId('diff-stats')).toContainText('+7');
  await expect(text.getByTestId('diff-fold').first()).toContainText('unchanged lines');
  await shoot(page, 'compare-files-split');

  // A file only B has: its lines unified, whatever layout was chosen.
  await item(page, 'CHANGELOG.md').click();
  await expect(diff.getByTestId('file-diff-change')).toHaveText('Only in B');
  await expect(text).toHaveAttribute('data-layout', 'unified');
  await expect(text.getByRole('radiogroup', { name: 'Diff layout' })).toHaveCount(0);
  await expect(text.locator('[data-testid="diff-row"][data-kind="added"]')).toHaveCount(
    COMPARE_EXPECTED.changelog.split('\n').length - 1,
  );
  await item(page, 'settings.conf').click();
  await expect(text).toHaveAttribute('data-layout', 'split');

  // Unified, with both line numbers.
  await text.getByText('Unified', { exact: true }).click();
  await expect(text).toHaveAttribute('data-layout', 'unified');
  const removed = text.locator('[data-testid="diff-row"][data-kind="removed"]', {
    hasText: 'format = text',
  });
  await expect(removed).toHaveCount(1);
  await expect(removed.getByRole('cell')).toHaveText(['A line 34', '', 'removed: format = text']);
  await expect(removed).toContainText('−');
  await shoot(page, 'compare-files-unified');

  // A chmod: the same contents, the mode marked as the difference.
  await item(page, 'start.sh').click();
  await expect(diff.getByTestId('file-diff-path')).toHaveText('/app/bin/start.sh');
  await expect(diff.getByTestId('same-contents')).toBeVisible();
  const mode = diff.getByTestId('attribute-mode');
  await expect(mode).toHaveClass(/changed/);
  await expect(mode).toContainText('-rw-r--r-- 0644');
  await expect(mode).toContainText('-rwxr-xr-x 0755');

  // Everything: the unchanged paths come back, the differences keep their marks.
  await view(page).getByText('Everything', { exact: true }).click();
  await treeReady(page);
  await expect(item(page, 'README.md')).toHaveAttribute('data-change', 'unchanged');
  await expect(item(page, 'legacy.txt')).toHaveAttribute('data-change', 'removed');

  // Config: every field, the changed ENV highlighted.
  await tab(page, 'Config').click();
  const config = view(page).getByTestId('config-diff');
  const mode2 = config.locator('[data-field="env.APP_MODE"]');
  await expect(mode2).toHaveAttribute('data-changed', 'true');
  await expect(mode2.getByRole('rowheader')).toHaveText(/^\s*APP_MODE\s*\(differs\)\s*$/);
  await expect(mode2.getByRole('cell')).toHaveText(['stable', 'beta']);
  await expect(config.locator('[data-field="env.LOG_LEVEL"]')).toHaveAttribute(
    'data-changed',
    'false',
  );
  await expect(config.getByTestId('config-changed-count')).toContainText('1 of');
  const changedFields = await config
    .locator('[data-testid="config-row"][data-changed="true"]')
    .evaluateAll((list) => list.map((row) => row.getAttribute('data-field')));
  expect(changedFields).toEqual(COMPARE_EXPECTED.config.map((c) => c.field));
  await shoot(page, 'compare-config');

  // History: the shared steps once, then the steps side by side.
  await tab(page, 'History').click();
  const history = view(page).getByTestId('history-diff');
  const steps = history.getByTestId('history-row');
  const kinds = await steps.evaluateAll((list) => list.map((row) => row.getAttribute('data-kind')));
  expect(kinds.filter((k) => k === 'shared').length).toBeGreaterThanOrEqual(3);
  expect(kinds.slice(kinds.indexOf('changed'))).toEqual([
    'changed',
    'changed',
    'same',
    'added',
    'same',
  ]);
  await expect(history.locator('[data-kind="added"]')).toContainText('RUN rm /app/legacy.txt');
  await shoot(page, 'compare-history');

  // One click swaps A and B: the removed file is now the added one.
  await page.getByTestId('compare-swap').click();
  await expect(page.getByTestId('compare-side-a')).toContainText('strata-fixture/compare:2');
  await tab(page, 'Overview').click();
  await expect(view(page).getByTestId('stat-added')).toHaveText(/\+1/);
  await expect(view(page).getByTestId('stat-size').locator('[data-bytes]')).toHaveAttribute(
    'data-bytes',
    /^-\d+$/,
  );
});

test('"Compare with…" from an open image, and back to it', async ({ page }) => {
  server = await startStrataWeb([v1, v2]);
  await page.goto(server.url);
  await page
    .getByTestId('open-image')
    .filter({ hasText: 'compare:2' })
    .getByRole('button')
    .first()
    .click();
  await expect(page.getByTestId('image-title')).toHaveText('strata-fixture/compare:2');
  const button = page.getByTestId('compare-with');
  await button.focus();
  await page.keyboard.press('ArrowDown');
  const menu = page.getByRole('menu', { name: /Compare strata-fixture\/compare:2 with/ });
  await expect(menu.getByRole('menuitem')).toHaveCount(1);
  await expect(menu.getByRole('menuitem').first()).toBeFocused();
  await shoot(page, 'compare-with-menu');
  await page.keyboard.press('Enter');
  await expect(view(page).getByTestId('compare-summary')).toBeVisible({ timeout: 60_000 });
  // The shown image is A.
  await expect(page.getByTestId('compare-side-a')).toContainText('strata-fixture/compare:2');
  await expect(view(page).getByTestId('stat-removed')).toHaveText(/−1/);
  await expect(view(page).getByTestId('stat-added')).toHaveText(/\+1/);
  // The comparison has a tab of its own; the image tabs lead back.
  await page.getByTestId('image-tab').filter({ hasText: 'compare:1' }).click();
  await expect(page.getByTestId('image-title')).toHaveText('strata-fixture/compare:1');
  await page.getByTestId('compare-tab').click();
  await expect(view(page)).toBeVisible();
  // Closing an image that is compared closes the comparison.
  await page.getByRole('button', { name: 'Close strata-fixture/compare:1' }).click();
  await expect(page.getByTestId('compare-tab')).toHaveCount(0);
});
