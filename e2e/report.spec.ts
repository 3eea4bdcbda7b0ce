// The HTML report (`strata inspect SOURCE --html FILE`) opened from disk in Debian's Chromium:
// the engine-built secrets fixture's findings are shown, masked, with the layers, the treemap
// and the waste; screenshots in light and dark under test-results/.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { expect, test, type Page } from '@playwright/test';
import { fixturePaths } from './fixtures';
import { SECRETS_FINDINGS, STRATA_BIN } from './layer-expectations';

const run = promisify(execFile);

/** The fixture's secrets, whole: none may appear in the report, on screen or in its source. */
const RAW_SECRETS = [
  'AKIAIOSFODNN7EXAMPLE',
  'tok-3f9a2b7c1d8e4f60a5b9',
  'npm_0123456789abcdefghijABCDEFGHIJklmnop',
  'b3BlbnNzaC1rZXktdjE',
];

const section = (page: Page, name: string) =>
  page.getByRole('heading', { level: 2, name, exact: true });
const tableAfter = (page: Page, name: string) => page.locator(`h2:text-is("${name}") + table`);

test('the report opens from disk and shows the findings, masked, the layers and the waste', async ({
  page,
}) => {
  const archive = fixturePaths().fixtures.secrets.archive;
  const file = test.info().outputPath('secrets-report.html');
  const { stderr } = await run(process.execPath, [STRATA_BIN, 'inspect', archive, '--html', file]);
  expect(stderr).toBe(`strata: wrote the report to ${file}\n`);
  const html = await readFile(file, 'utf8');
  for (const secret of RAW_SECRETS) expect(html).not.toContain(secret);

  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(pathToFileURL(file).href);
  await expect(page).toHaveTitle('Strata report: strata-fixture/secrets:1');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('strata-fixture/secrets:1');

  // Findings: each with its kind, path, layer and step, masked; the deleted ones still stored.
  await expect(section(page, 'Findings')).toBeVisible();
  const findings = tableAfter(page, 'Findings').locator('tbody tr');
  await expect(findings).toHaveCount(6);
  const rows = await findings.evaluateAll((trs) =>
    trs.map((tr) => [tr.getAttribute('data-kind'), tr.querySelector('.path')?.textContent]),
  );
  expect(rows).toEqual(SECRETS_FINDINGS);
  const key = findings.nth(0);
  await expect(key).toBeVisible();
  await expect(key.locator('td').nth(0)).toHaveText('high');
  await expect(key.locator('td').nth(1)).toHaveText('private key');
  await expect(key).toContainText('layer 2');
  await expect(key).toContainText(/COPY file:[0-9a-f]{12}… in \/root\/\.ssh\/id_ed25519/);
  await expect(key).toContainText('deleted in layer 6, still stored');
  await expect(findings.nth(2)).toContainText('AWS access key ID: AKIA************MPLE');
  await expect(findings.nth(3)).toContainText(
    'secrets in an env file: API_TOKEN=tok-****************a5b9',
  );
  await expect(findings.nth(4)).toContainText('npm cache stored in the image · 33 B');
  await expect(findings.nth(4)).toContainText('deleted in layer 6, still stored');
  await expect(findings.nth(5)).toContainText('setuid root');
  await expect(page.getByText('Secret values are masked.')).toBeVisible();

  // Both figure sets, with how they differ.
  await expect(page.locator('.stat').filter({ hasText: /^Wasted/i })).toContainText('245 B');
  await expect(page.locator('.stat').filter({ hasText: /dive's wasted/i })).toContainText('212 B');
  await expect(
    page.getByText(/dive counts every copy of a path written in more than one/),
  ).toBeVisible();

  // The layers, the treemap and the waste.
  await expect(section(page, 'Layers')).toBeVisible();
  const layers = tableAfter(page, 'Layers').locator('tbody tr:not(.meta)');
  await expect(layers).toHaveCount(7);
  await expect(layers.nth(6)).toContainText('RUN rm /root/.ssh/id_ed25519 && rm -rf /root/.npm');
  await expect(section(page, 'Where the space goes')).toBeVisible();
  const map = page.locator('.treemap');
  const tiles = map.locator(':scope > .tm');
  expect(await tiles.count()).toBeGreaterThan(0);
  // The top-level tiles fill the map's width (the layout is in percent of it).
  const mapBox = (await map.boundingBox())!;
  const right = Math.max(
    ...(await tiles.evaluateAll((els) => els.map((el) => el.getBoundingClientRect().right))),
  );
  expect(Math.abs(mapBox.x + mapBox.width - right)).toBeLessThan(3);
  await expect(section(page, 'Waste')).toBeVisible();
  const waste = tableAfter(page, 'Waste').locator('tbody tr');
  await expect(waste).toHaveCount(3);
  await expect(waste.nth(0)).toContainText('/root/.ssh/id_ed25519');

  const text = await page.locator('body').innerText();
  for (const secret of RAW_SECRETS) expect(text).not.toContain(secret);
  expect(errors).toEqual([]);

  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.screenshot({
      path: test.info().outputPath(`report-${scheme}.png`),
      fullPage: true,
    });
  }
  await page.setViewportSize({ width: 900, height: 900 });
  await page.screenshot({ path: test.info().outputPath('report-dark-900.png'), fullPage: true });
});
