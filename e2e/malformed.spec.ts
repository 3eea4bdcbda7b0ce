// Hostile archives in the UI: every case of the malformed-input suite (the same builders,
// src-main/core/testing/malformed-cases.ts) uploaded through `strata web` with the file
// chooser. An archive that cannot be read gets the error banner with the words the CLI prints
// (naming the file and the problem), never a stack trace; one that reads with warnings shows
// them under the image header, and marks the layer a warning names. One server, one page.
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, test, type Page } from '@playwright/test';
import {
  claimingDiffId,
  MALFORMED_CASES,
  oneLayer,
  WARNING_CASES,
  wrongDiffIdArchive,
} from '../src-main/core/testing/malformed-cases';
import { demo, legacyArchive } from '../src-main/core/testing/layouts';
import { STRATA_BIN, watchCspViolations } from './layer-expectations';
import { startStrataWeb, type StrataWeb } from './strata-web';

const run = promisify(execFile);

test.describe.configure({ mode: 'serial' });

let server: StrataWeb;
let page: Page;
let dir: string;
let cspViolations: () => Promise<string[]>;

test.beforeAll(async ({ browser }) => {
  server = await startStrataWeb();
  dir = await mkdtemp(join(tmpdir(), 'strata-malformed-ui-'));
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  cspViolations = await watchCspViolations(page);
  await page.goto(server.url);
  await expect(page.getByTestId('drop-zone')).toBeVisible();
});

test.afterAll(async () => {
  expect(await cspViolations(), 'Content-Security-Policy violations').toEqual([]);
  await page?.close();
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The case's archive under a name of its own (the banner must name that file). */
async function archiveFor(name: string, built: string): Promise<{ path: string; file: string }> {
  const file = `${name.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '')}.tar`;
  const path = join(dir, file);
  await copyFile(built, path);
  await rm(join(built, '..'), { recursive: true, force: true });
  return { path, file };
}

/** What `strata inspect` says on stderr, with the path as the browser names the upload. */
async function cliMessage(path: string, file: string): Promise<string> {
  const failed = await run(process.execPath, [STRATA_BIN, 'inspect', path, '--json'], {
    maxBuffer: 64 * 1024 * 1024,
  }).then(
    () => null,
    (err: { code: number; stderr: string }) => err,
  );
  expect(failed?.code, `strata inspect ${file} exits 2`).toBe(2);
  const line = failed!.stderr.trim();
  expect(line.startsWith(`strata: ${path}: `)).toBe(true);
  return line.slice('strata: '.length).split(path).join(file);
}

async function upload(path: string): Promise<void> {
  const chooser = page.waitForEvent('filechooser');
  await page.getByTestId('open-archive').click();
  await (await chooser).setFiles(path);
}

/** Closes every open image: back to Home for the next case. */
async function closeAll(): Promise<void> {
  const close = page.getByTestId('image-tabs').getByRole('button', { name: /^Close / });
  for (let open = await close.count(); open > 0; open--) {
    await close.first().click();
    await expect(close).toHaveCount(open - 1);
  }
  await expect(page.getByTestId('drop-zone')).toBeVisible();
}

const screenshotOf = (name: string) => test.info().outputPath(`${name}.png`);

for (const c of MALFORMED_CASES) {
  test(`the banner names the file and the problem: ${c.name}`, async () => {
    const { path, file } = await archiveFor(c.name, await c.build());
    const expected = await cliMessage(path, file);
    expect(expected).toMatch(c.message);

    await upload(path);
    const banner = page.getByTestId('error-banner');
    await expect(banner).toBeVisible({ timeout: 30_000 });
    await expect(banner.getByTestId('error-message')).toHaveText(expected);
    await expect(banner).toHaveAttribute('data-code', c.code ?? /^(bad-archive|limit)$/);
    const text = await banner.innerText();
    expect(text).not.toMatch(/^\s+at /m);
    expect(text).not.toMatch(/\bError:/);
    expect(text).not.toMatch(/node:internal|\.js:\d+/);
    // Nothing opened: Home stays, ready for the next archive.
    await expect(page.getByTestId('image-tab')).toHaveCount(0);
    await expect(page.getByTestId('drop-zone')).toBeVisible();
    if (c.name === 'manifest.json of 100 MB' || c.name === 'a bad header checksum')
      await page.screenshot({ path: screenshotOf(`banner-${file}`) });
    await banner.getByTestId('error-dismiss').click();
    await expect(banner).toHaveCount(0);
    await rm(path);
  });
}

for (const c of WARNING_CASES) {
  test(`the warnings show under the image header: ${c.name}`, async () => {
    const { path } = await archiveFor(c.name, await c.build());
    const { stdout } = await run(process.execPath, [STRATA_BIN, 'inspect', path, '--json']);
    const warnings = (JSON.parse(stdout) as { warnings: string[] }).warnings;

    await upload(path);
    const strip = page.getByTestId('image-warnings');
    await expect(strip).toBeVisible({ timeout: 30_000 });
    await expect(page.getByTestId('error-banner')).toHaveCount(0);
    await expect(strip).toHaveAttribute('data-count', String(warnings.length));
    const shown = page.getByTestId('image-warning');
    await expect(shown).toHaveCount(warnings.length);
    // Each warning as the CLI gives it: its layer (a link), then its text (whole in the tooltip).
    for (const [i, warning] of warnings.entries()) {
      const layer = /^layer (\d+): /.exec(warning);
      const item = shown.nth(i);
      if (layer) await expect(item).toHaveAttribute('data-layer', layer[1]!);
      else await expect(item).not.toHaveAttribute('data-layer');
      await expect(item.locator('.text')).toHaveAttribute(
        'title',
        layer ? warning.slice(layer[0].length) : warning,
      );
    }
    for (const pattern of c.warnings) expect(warnings.join('\n')).toMatch(pattern);
    expect(await strip.innerText()).not.toMatch(/^\s+at /m);
    await closeAll();
    await rm(path);
  });
}

test('a layer that does not match its diff ID is marked in the list and named in the banner', async () => {
  const built = await wrongDiffIdArchive(2);
  const { path } = await archiveFor('wrong diff id', built.path);
  await upload(path);
  const strip = page.getByTestId('image-warnings');
  await expect(strip).toBeVisible({ timeout: 30_000 });
  await expect(strip).toContainText('1 warning');
  const warning = page.getByTestId('image-warning');
  await expect(warning).toHaveCount(1);
  await expect(warning).toHaveAttribute('data-layer', '2');
  await expect(warning).toContainText('Layer 2');
  await expect(warning).toContainText(
    /its content does not match its diff ID sha256:[0-9a-f]{12}… \(the content hashes to sha256:[0-9a-f]{12}…\)/,
  );

  // Only layer 2's row carries the marker; its tooltip says what is wrong.
  const rows = page.getByTestId('layer-row');
  await expect(rows).toHaveCount(4);
  await expect(page.getByTestId('layer-warning')).toHaveCount(1);
  const marker = rows.nth(2).getByTestId('layer-warning');
  await expect(marker).toBeVisible();
  await expect(marker).toHaveAttribute('title', /does not match its diff ID/);
  await expect(marker).toHaveAccessibleName(/^Warning: its content does not match its diff ID/);

  // The layer link in the banner selects that layer, whose details say it too.
  await rows.nth(0).click();
  await expect(rows.nth(0)).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByTestId('layer-details-warnings')).toHaveCount(0);
  await warning.getByRole('button', { name: 'Layer 2' }).click();
  await expect(rows.nth(2)).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByTestId('layer-details-warnings')).toContainText(
    /its content does not match its diff ID sha256:[0-9a-f]{12}…/,
  );
  await page.screenshot({ path: screenshotOf('warning-diff-id') });
  await closeAll();
  await rm(path);
});

test('an archive claiming a layer of an image already open for other files is read on its own, and says so', async () => {
  const image = await demo();
  const trusted = join(dir, 'trusted.tar');
  const hostile = join(dir, 'hostile.tar');
  await writeFile(trusted, await legacyArchive(image));
  await writeFile(hostile, await legacyArchive(await claimingDiffId(image)));
  await upload(trusted);
  await expect(page.getByTestId('layer-row')).toHaveCount(4, { timeout: 30_000 });
  await expect(page.getByTestId('image-warnings')).toHaveCount(0);
  await page.getByTestId('image-tabs').getByRole('button', { name: 'Home' }).click();
  await upload(hostile);
  const warning = page.getByTestId('image-warning');
  await expect(warning).toHaveCount(1, { timeout: 30_000 });
  await expect(warning).toHaveAttribute('data-layer', '1');
  await expect(warning).toContainText(
    /its diff ID sha256:[0-9a-f]{12}… is also claimed by a layer of trusted\.tar that holds other bytes; this copy was read on its own/,
  );
  await expect(page.getByTestId('layer-row').nth(1).getByTestId('layer-warning')).toBeVisible();
  // Its own files, not the trusted layer's.
  await page.getByTestId('layer-row').nth(1).click();
  await page.getByRole('searchbox', { name: 'Filter files' }).fill('backdoor');
  await expect(page.getByTestId('tree-row').filter({ hasText: 'backdoor.so' })).toBeVisible();
  await page.screenshot({ path: screenshotOf('warning-claimed-diff-id') });
  await closeAll();
});

test('many warnings fold behind "Show all", and unfold', async () => {
  const built = await oneLayer(
    Array.from({ length: 8 }, (_, i) => ({ name: `../../up${i}/file`, body: `${i}` })),
  );
  const { path } = await archiveFor('many warnings', built);
  await upload(path);
  const strip = page.getByTestId('image-warnings');
  await expect(strip).toContainText('9 warnings');
  const shown = page.getByTestId('image-warning');
  await expect(shown).toHaveCount(3);
  await expect(shown.first()).toContainText('the image config has no history');
  await expect(shown.first()).toContainText('Image');
  const toggle = page.getByTestId('image-warnings-toggle');
  await expect(toggle).toHaveText(/Show all 9/);
  await expect(toggle).toHaveAttribute('aria-expanded', 'false');
  await page.screenshot({ path: screenshotOf('warnings-folded') });
  await toggle.click();
  await expect(toggle).toHaveAttribute('aria-expanded', 'true');
  await expect(shown).toHaveCount(9);
  await expect(shown.nth(8)).toContainText('climbs above the root; read as /up7/file');
  await page.screenshot({ path: screenshotOf('warnings-unfolded') });
  await toggle.click();
  await expect(shown).toHaveCount(3);
  await closeAll();
  await rm(path);
});
