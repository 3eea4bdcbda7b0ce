// Findings and both efficiency figure sets in the app, end to end: `strata web` over the real
// core, Debian's Chromium, the engine-built secrets fixture (a private key copied in step 2 and
// deleted in step 6, tokens in /app, an npm cache deleted later, a setuid binary). Screenshots of
// the Findings panel, the tree's badges and the Waste panel, light and dark, under test-results/.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, test, type Page } from '@playwright/test';
import type { InspectResult } from '../src-main/api/model';
import { formatBytes, formatPercent } from '../src-renderer/src/lib/format';
import { fixturePaths } from './fixtures';
import { SECRETS_FINDINGS, STRATA_BIN, watchCspViolations } from './layer-expectations';
import { startStrataWeb, type StrataWeb } from './strata-web';

const run = promisify(execFile);

/** The fixture's secrets, whole: none of them may appear anywhere on the page. */
const RAW_SECRETS = [
  'AKIAIOSFODNN7EXAMPLE',
  'tok-3f9a2b7c1d8e4f60a5b9',
  'npm_0123456789abcdefghijABCDEFGHIJklmnop',
  'b3BlbnNzaC1rZXktdjE',
];

let server: StrataWeb | undefined;
let cspViolations: () => Promise<string[]>;

test.beforeEach(async ({ page }) => {
  cspViolations = await watchCspViolations(page);
  await page.setViewportSize({ width: 1440, height: 900 });
});

test.afterEach(async () => {
  expect(await cspViolations(), 'Content-Security-Policy violations').toEqual([]);
  await server?.stop();
  server = undefined;
});

const tree = (page: Page) => page.getByRole('tree', { name: 'Files' });
const treeReady = (page: Page) =>
  expect(tree(page)).toHaveAttribute('aria-busy', 'false', { timeout: 60_000 });
const layerRow = (page: Page, index: number) =>
  page
    .getByRole('listbox', { name: /Layers/ })
    .getByRole('option')
    .and(page.locator(`[data-layer-index="${index}"]`));
const findingsList = (page: Page) => page.getByRole('list', { name: 'Findings' });
const findingRow = (page: Page, path: string) =>
  findingsList(page).locator(`[data-testid="finding-row"][data-path="${path}"]`);
const treeRow = (page: Page, path: string) =>
  tree(page).locator(`[data-testid="tree-row"][data-path="${path}"]`);

async function openImage(page: Page, archive: string): Promise<void> {
  server = await startStrataWeb([archive]);
  await page.goto(server.url);
  await expect(tree(page)).toBeVisible({ timeout: 90_000 });
  await treeReady(page);
}

/** The Findings panel lists the planted findings: highest severity first, then by layer. */
async function expectPlantedFindings(page: Page): Promise<void> {
  const rows = findingsList(page).getByTestId('finding-row');
  await expect(rows).toHaveCount(SECRETS_FINDINGS.length);
  const listed = await rows.evaluateAll((els) =>
    els.map((el) => [el.getAttribute('data-kind'), el.getAttribute('data-path')]),
  );
  expect(listed).toEqual(SECRETS_FINDINGS);
}

/** Saves the page in light and dark under test-results/. */
async function shots(page: Page, name: string): Promise<void> {
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.waitForTimeout(300);
    await page.screenshot({ path: test.info().outputPath(`${name}-${scheme}.png`) });
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

test('the Findings panel of the gzip OCI form lists the same findings', async ({ page }) => {
  // Its layers are read on workers, their small files scanned as they stream.
  await openImage(page, fixturePaths().fixtures.secrets.ociGzip);
  await page.getByRole('tab', { name: /Findings/ }).click();
  await expectPlantedFindings(page);
  await expect(findingRow(page, '/app/.env').getByTestId('finding-detail')).toHaveText(
    'secrets in an env file: API_TOKEN=tok-****************a5b9',
  );
  const text = await page.locator('body').innerText();
  for (const secret of RAW_SECRETS) expect(text).not.toContain(secret);
  await shots(page, 'findings-panel-oci-gzip');
});

test('the Findings panel lists each finding with its layer and step, masked', async ({ page }) => {
  const archive = fixturePaths().fixtures.secrets.archive;
  await openImage(page, archive);
  await expect(page.getByRole('tab', { name: /Findings/ })).toContainText('6');
  await page.getByRole('tab', { name: /Findings/ }).click();
  await expectPlantedFindings(page);

  const key = findingRow(page, '/root/.ssh/id_ed25519');
  await expect(key.getByTestId('finding-badge')).toHaveText('private key');
  await expect(key).toContainText('layer 2');
  await expect(key).toContainText(/COPY\s+file:\w+/);
  await expect(key).toContainText('in /root/.ssh/id_ed25519');
  await expect(key.getByTestId('finding-still-stored')).toHaveText(
    'deleted in layer 6, still stored',
  );
  await expect(findingRow(page, '/app/.env').getByTestId('finding-detail')).toHaveText(
    'secrets in an env file: API_TOKEN=tok-****************a5b9',
  );
  await expect(findingRow(page, '/app/config.js').getByTestId('finding-detail')).toHaveText(
    'AWS access key ID: AKIA************MPLE',
  );
  await expect(findingRow(page, '/app/.env').getByTestId('finding-still-stored')).toHaveCount(0);
  // The cache's bytes (33 B of npm cache under /root/.npm), deleted by layer 6.
  const cache = findingRow(page, '/root/.npm');
  await expect(cache).toContainText('33 B');
  await expect(cache).toContainText('layer 4');
  await expect(cache.getByTestId('finding-still-stored')).toBeVisible();
  await expect(findingRow(page, '/usr/bin/suid-helper')).toContainText('setuid root');

  const text = await page.locator('body').innerText();
  for (const secret of RAW_SECRETS) expect(text).not.toContain(secret);
  await shots(page, 'findings-panel');

  // A click shows the file in the tree at the layer that added it, and in the inspector.
  await key.click();
  await expect(page.getByRole('tab', { name: 'Files' })).toHaveAttribute('aria-selected', 'true');
  await expect(layerRow(page, 2)).toHaveAttribute('aria-selected', 'true');
  await expect(treeRow(page, '/root/.ssh/id_ed25519')).toHaveAttribute('aria-selected', 'true');
  await expect(
    page.getByRole('complementary', { name: 'Inspector' }).getByTestId('inspector-path'),
  ).toHaveText('/root/.ssh/id_ed25519');
  const badge = treeRow(page, '/root/.ssh/id_ed25519').getByTestId('finding-badge');
  await expect(badge).toHaveText('private key');
  await expect(badge).toHaveAttribute('title', /added in layer 2; deleted in layer 6 but still/);
  await shots(page, 'findings-reveal');
});

test('tree rows carry badges while the finding is the copy shown, and where it was deleted', async ({
  page,
}) => {
  await openImage(page, fixturePaths().fixtures.secrets.archive);
  const badges = (path: string) => treeRow(page, path).getByTestId('finding-badge');

  // Layer 3's changes: COPY app/ brought two tokens and an env file, and a harmless server.js.
  await layerRow(page, 3).click();
  await treeReady(page);
  await page.getByRole('button', { name: 'Expand all' }).click();
  await treeReady(page);
  await expect(badges('/app/.npmrc')).toHaveText(['secret']);
  await expect(badges('/app/config.js')).toHaveText(['secret']);
  await expect(badges('/app/.env')).toHaveText(['.env']);
  await expect(badges('/app/.env')).toHaveAttribute('title', /API_TOKEN=tok-\*+a5b9/);
  await expect(treeRow(page, '/app/server.js')).toBeVisible();
  await expect(badges('/app/server.js')).toHaveCount(0);
  await expect(badges('/app')).toHaveCount(0);
  await treeRow(page, '/app/.env').click();
  await shots(page, 'findings-badges-tree');

  // Layer 6's changes: the key and the npm cache it deleted, still stored below.
  await layerRow(page, 6).click();
  await treeReady(page);
  await page.getByRole('button', { name: 'Expand all' }).click();
  await treeReady(page);
  const key = treeRow(page, '/root/.ssh/id_ed25519');
  await expect(key).toHaveAttribute('data-change', 'removed');
  await expect(badges('/root/.ssh/id_ed25519')).toHaveText(['private key']);
  await expect(key).toHaveAttribute('aria-label', 'id_ed25519, removed, private key');
  await expect(badges('/root/.npm')).toHaveText(['cache']);
  await expect(treeRow(page, '/root/.npm/_cacache/index.json')).toBeVisible();
  await expect(badges('/root/.npm/_cacache/index.json')).toHaveCount(0);
  await shots(page, 'findings-badges-deleted');

  // Layer 5's whole file system still has the key (and the setuid binary it added).
  await layerRow(page, 5).click();
  await treeReady(page);
  await page.getByRole('radio', { name: 'Whole file system' }).check();
  await treeReady(page);
  const filter = page.getByRole('searchbox', { name: 'Filter files' });
  await filter.fill('id_ed25519');
  await treeReady(page);
  await expect(badges('/root/.ssh/id_ed25519')).toHaveText(['private key']);
  await filter.fill('suid-helper');
  await treeReady(page);
  await expect(badges('/usr/bin/suid-helper')).toHaveText(['setuid']);
  await filter.fill('');
  await treeReady(page);

  // Before layer 2 nothing is there to find.
  await layerRow(page, 1).click();
  await treeReady(page);
  await expect(tree(page).getByTestId('tree-row').first()).toBeVisible();
  await expect(tree(page).getByTestId('finding-badge')).toHaveCount(0);
});

test('an image without findings says so', async ({ page }) => {
  await openImage(page, fixturePaths().fixtures.tiny.archive);
  await page.getByRole('tab', { name: /Findings/ }).click();
  await expect(page.getByTestId('findings-none')).toHaveText(
    /^Nothing found: no secrets, credential files, .git directories, package caches/,
  );
  await expect(page.getByTestId('findings-count')).toHaveText('0');
  await expect(page.getByRole('tab', { name: /Findings/ })).toHaveText('Findings');
  await shots(page, 'findings-none');
});

test('the Waste panel shows Strata and dive figures side by side, as inspect --json has them', async ({
  page,
}) => {
  const archive = fixturePaths().fixtures.secrets.archive;
  const { stdout } = await run(process.execPath, [STRATA_BIN, 'inspect', archive, '--json']);
  const inspect = JSON.parse(stdout) as InspectResult;
  // Strata counts the deleted npm cache directory's files; dive misses them.
  expect(inspect.efficiency.wastedBytes).toBe(245);
  expect(inspect.dive.wastedBytes).toBe(212);

  await openImage(page, archive);
  await page.getByRole('tab', { name: /Waste/ }).click();
  const strata = page.getByRole('group', { name: "Strata's figures" });
  const dive = page.getByRole('group', { name: "dive's figures" });
  await expect(strata.getByTestId('waste-efficiency')).toHaveText(
    formatPercent(inspect.efficiency.score),
  );
  await expect(strata.getByTestId('waste-bytes')).toHaveText(
    formatBytes(inspect.efficiency.wastedBytes),
  );
  await expect(strata).toContainText(formatPercent(inspect.efficiency.userWastedPercent));
  await expect(dive.getByTestId('dive-efficiency')).toHaveText(
    formatPercent(inspect.dive.efficiency),
  );
  await expect(dive.getByTestId('dive-bytes')).toHaveText(formatBytes(inspect.dive.wastedBytes));
  await expect(dive).toContainText(formatPercent(inspect.dive.userWastedPercent));
  await expect(page.getByTestId('figures-differ')).toHaveText(
    'dive counts every copy of a path written in more than one layer, the kept copy too, and misses the files under a deleted directory.',
  );
  await shots(page, 'waste-both-figures');
});
