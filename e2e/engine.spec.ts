// The engine on Home, end to end: `strata web` against a real engine holding the fixtures (and
// one big image, so that an export lasts long enough to watch and to cancel), driven in
// Debian's Chromium. Screenshots of Home and of an open in progress, light and dark.
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { expect, type Page } from '@playwright/test';
import { dockerFor } from './fixtures/engine-api';
import { startFixtureEngine, type FixtureEngine } from './fixtures/live-engine';
import { loadBigImage, type BigImage } from './engine/test-images';
import { startSocketProxy, type SocketProxy } from './engine/socket-proxy';
import { startStrataWeb, type StrataWeb } from './engine/strata-web';
import { packTar } from '../src-main/core/tar/pack-tar';
import {
  expectLayerRows,
  loadFixture,
  watchCspViolations,
  type Fixture,
} from './layer-expectations';
import { removeTempDirs, tempDir } from './engine/temp-dirs';
import { guardedTest } from './engine/image-guard-playwright';

let engine: FixtureEngine;
let docker: Docker;
let big: BigImage;
let basic: Fixture;
let server: StrataWeb | undefined;
/** The engine socket, behind a proxy that slows answers to 40 MB/s: a 300 MB export lasts ~8 s. */
let slow: SocketProxy;
let cspViolations: () => Promise<string[]>;

/** Each test leaves the engine's images as it found them (the image list is compared). */
const test = guardedTest(() => engine);

test.beforeAll(async () => {
  test.setTimeout(240_000);
  engine = await startFixtureEngine();
  docker = dockerFor(engine.dockerHost);
  big = await loadBigImage(docker);
  slow = await startSocketProxy(engine.dockerHost.slice('unix://'.length));
  slow.throttle(40_000_000);
  basic = await loadFixture('basic');
});

test.afterAll(async () => {
  await slow?.close();
  await engine?.release();
});

test.beforeEach(async ({ page }) => {
  cspViolations = await watchCspViolations(page);
});

test.afterEach(async () => {
  expect(await cspViolations(), 'Content-Security-Policy violations').toEqual([]);
  await server?.stop();
  server = undefined;
  await removeTempDirs();
});

/** A HOME of its own (no docker contexts unless a test writes some) and an export cache of its own. */
function environment(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: tempDir('strata-home-'),
    XDG_RUNTIME_DIR: join(tmpdir(), 'strata-no-runtime'),
    XDG_CACHE_HOME: tempDir('strata-web-cache-'),
    DOCKER_HOST: engine.dockerHost,
    ...extra,
  };
}

async function openHome(page: Page, env = environment()): Promise<void> {
  server = await startStrataWeb(env);
  await page.goto(server.url);
  await expect(page.getByTestId('engine-panel')).toBeVisible();
}

async function goHome(page: Page): Promise<void> {
  await page.getByTestId('image-tabs').getByRole('button', { name: 'Home', exact: true }).click();
  await expect(page.getByTestId('engine-panel')).toBeVisible();
}

const row = (page: Page, tag: string) =>
  page.getByTestId('engine-image').filter({ hasText: tag.split(':')[0]! });

test('lists the engine images, searches, sorts, hides dangling ones, and follows the engine', async ({
  page,
}) => {
  // One dangling image: imported without a name.
  const root = await packTar([{ name: 'dangling.txt', body: `dangling ${Date.now()}\n` }]);
  const imported = await docker.importImage(Readable.from([root]), {});
  // The import's last progress message is the new image's ID.
  const danglingId = await new Promise<string>((resolve, reject) =>
    docker.modem.followProgress(imported, (err: Error | null, output: { status?: string }[]) =>
      err ? reject(err) : resolve(output.at(-1)?.status ?? ''),
    ),
  );
  expect(danglingId).toMatch(/^sha256:[0-9a-f]{64}$/);

  await openHome(page);
  const rows = page.getByTestId('engine-image');
  await expect(row(page, engine.refs.tiny)).toHaveCount(1);
  await expect(row(page, engine.refs.tiny).getByTestId('engine-image-tag')).toHaveText([
    '1',
    'latest',
  ]);
  await expect(row(page, engine.refs.basic)).toContainText(/2\.\d MB/);
  await expect(page.getByTestId('engine-select')).toContainText(engine.dockerHost);
  await expect(page.getByTestId('engine-summary')).toContainText(/Docker Engine .*API 1\.\d+/);

  // Dangling images wait behind the switch.
  await expect(rows.filter({ hasText: 'untagged' })).toHaveCount(0);
  await page.getByTestId('engine-show-dangling').check();
  await expect(rows.filter({ hasText: 'untagged' })).not.toHaveCount(0);
  await page.getByTestId('engine-show-dangling').uncheck();

  // Sort by size, biggest first: the big image leads.
  await page.getByTestId('engine-sort-size').click();
  await expect(rows.first()).toContainText('strata-test/big');
  // By name, A to Z.
  await page.getByTestId('engine-sort-name').click();
  const names = await rows.locator('.repo').allTextContents();
  expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b)));

  // Search by name, then by ID.
  await page.getByTestId('engine-search').fill('tiny');
  await expect(rows).toHaveCount(1);
  const tinyId = ((await docker.getImage(engine.refs.tiny).inspect()) as { Id: string }).Id;
  await page.getByTestId('engine-search').fill(tinyId.slice(7, 15));
  await expect(rows).toHaveCount(1);
  await page.getByTestId('engine-search').fill('');

  await page.screenshot({ path: test.info().outputPath('engine-home-light.png'), fullPage: true });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: test.info().outputPath('engine-home-dark.png'), fullPage: true });
  await page.emulateMedia({ colorScheme: 'light' });

  // The engine changes while the list is shown: a tag appears, then goes, without a reload.
  await docker.getImage(engine.refs.basic).tag({ repo: 'strata-test/followed', tag: 'now' });
  await expect(row(page, 'strata-test/followed:now')).toHaveCount(1, { timeout: 10_000 });
  await docker.getImage('strata-test/followed:now').remove();
  await expect(row(page, 'strata-test/followed:now')).toHaveCount(0, { timeout: 10_000 });

  // The dangling image goes again: the engine is left as the test found it.
  await docker.getImage(danglingId).remove();
});

test('opens an engine image with progress, then shows its layers', async ({ page }) => {
  test.setTimeout(120_000);
  await openHome(page, environment({ DOCKER_HOST: slow.dockerHost }));
  await page.getByTestId('engine-search').fill('strata-test/big');
  await page.getByTestId('engine-image').click();
  const opening = page.getByTestId('engine-opening');
  await expect(opening).toBeVisible();
  // The engine's own description first, then bytes of the expected size.
  await expect(opening).toContainText(`Opening ${big.ref}`);
  await expect(page.getByTestId('engine-open-steps')).toContainText('one big random file');
  await expect(page.getByTestId('engine-open-detail')).toHaveText(
    /Exporting [\d.]+ (kB|MB) of ~300 MB/,
    { timeout: 30_000 },
  );
  const progress = page.getByTestId('engine-open-progress');
  await expect
    .poll(async () => Number(await progress.getAttribute('aria-valuenow')), { timeout: 30_000 })
    .toBeGreaterThan(0);
  await page.screenshot({
    path: test.info().outputPath('engine-opening-light.png'),
    fullPage: true,
  });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({
    path: test.info().outputPath('engine-opening-dark.png'),
    fullPage: true,
  });
  await page.emulateMedia({ colorScheme: 'light' });

  await expect(page.getByTestId('image-header')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('layer-row')).toHaveCount(1);
  await expect(page.getByTestId('error-banner')).toHaveCount(0);

  // Back home: the basic fixture opens from the engine with the layers its archive has.
  await goHome(page);
  await page.getByTestId('engine-search').fill(engine.refs.basic);
  await page.getByTestId('engine-image').click();
  await expectLayerRows(page, basic);
  await page.screenshot({
    path: test.info().outputPath('engine-opened-basic.png'),
    fullPage: true,
  });
});

test('cancels an open in the middle of the export', async ({ page }) => {
  test.setTimeout(120_000);
  await openHome(page, environment({ DOCKER_HOST: slow.dockerHost }));
  await page.getByTestId('engine-search').fill('strata-test/big');
  await page.getByTestId('engine-image').click();
  await expect(page.getByTestId('engine-open-detail')).toHaveText(/Exporting [\d.]+ (kB|MB) of/, {
    timeout: 30_000,
  });
  await page.getByTestId('engine-open-cancel').click();
  await expect(page.getByTestId('engine-opening')).toHaveCount(0, { timeout: 10_000 });
  await expect(page.getByTestId('drop-zone')).toBeVisible();
  await expect(page.getByTestId('error-banner')).toHaveCount(0);
  await expect(page.getByTestId('engine-cache-size')).toHaveText('Export cache 0 B');
  // The export's connection to the engine is closed, not left streaming.
  await expect.poll(() => slow.openConnections(/\/images\/get/), { timeout: 5_000 }).toBe(0);
});

test('the export cache: its size after an open, cleared from Home', async ({ page }) => {
  await openHome(page);
  await page.getByTestId('engine-search').fill(engine.refs.tiny);
  await page.getByTestId('engine-image').click();
  await expect(page.getByTestId('image-header')).toBeVisible();
  await goHome(page);
  await expect(page.getByTestId('engine-cache-size')).toHaveText(
    /Export cache [\d.]+ MB · 1 image/,
  );
  // Closed, the image no longer holds its archive: Clear cache empties it.
  await page.getByTestId('open-image').getByRole('button', { name: /Close/ }).click();
  await page.getByTestId('engine-clear-cache').click();
  await expect(page.getByTestId('engine-cache-size')).toHaveText('Export cache 0 B');
});

test('picks another engine, and says why one cannot be reached', async ({ page }) => {
  const env = environment();
  // A docker context as the docker CLI writes it, pointing at a socket that is not there.
  const name = 'elsewhere';
  const missing = join(tempDir('strata-none-'), 'docker.sock');
  const meta = join(
    env.HOME!,
    '.docker',
    'contexts',
    'meta',
    createHash('sha256').update(name).digest('hex'),
  );
  mkdirSync(meta, { recursive: true });
  writeFileSync(
    join(meta, 'meta.json'),
    JSON.stringify({
      Name: name,
      Metadata: {},
      Endpoints: { docker: { Host: `unix://${missing}` } },
    }),
  );
  await openHome(page, env);
  const select = page.getByTestId('engine-select');
  await expect(select.locator('option')).toHaveCount(2);
  await expect(page.getByTestId('engine-image')).not.toHaveCount(0);
  const broken = await select.locator('option', { hasText: 'elsewhere' }).getAttribute('value');
  await select.selectOption(broken!);
  await expect(page.getByTestId('engine-problem-message')).toContainText(
    `No engine at unix://${missing}: there is no socket at ${missing}; start the engine the docker context "elsewhere" points at`,
  );
  await page.screenshot({ path: test.info().outputPath('engine-unreachable.png'), fullPage: true });
  const good = await select.locator('option', { hasText: 'DOCKER_HOST' }).getAttribute('value');
  await select.selectOption(good!);
  await expect(page.getByTestId('engine-problem')).toHaveCount(0);
  await expect(page.getByTestId('engine-image')).not.toHaveCount(0);
});

test('opens a docker://REF given to strata web on the command line', async ({ page }) => {
  server = await startStrataWeb(environment(), [`docker://${engine.refs.basic}`]);
  await page.goto(server.url);
  await expectLayerRows(page, basic);
  await expect(page.getByTestId('image-tab')).toHaveAttribute(
    'title',
    new RegExp(`docker://${engine.refs.basic}`),
  );
});

/** `strata web docker://basic` through the proxy, its export held: the URL comes before it. */
async function startWithHeldExport(): Promise<{ release(): void }> {
  const held = slow.hold(/\/images\/get/);
  server = await startStrataWeb(environment({ DOCKER_HOST: slow.dockerHost }), [
    `docker://${engine.refs.basic}`,
  ]);
  await held.seen;
  return held;
}

test('serves a docker://REF from the command line while it exports, showing its steps first', async ({
  page,
}) => {
  const held = await startWithHeldExport();
  await page.goto(server!.url);
  const card = page.getByTestId('engine-opening');
  await expect(card).toBeVisible();
  await expect(card).toContainText(`Opening ${engine.refs.basic}`);
  await expect(page.getByTestId('engine-open-steps')).toContainText("echo 'workers = 4'");
  await expect(page.getByTestId('engine-open-detail')).toHaveText(
    /Starting the export…|The engine is preparing the export…/,
  );
  await page.screenshot({ path: test.info().outputPath('engine-command-line-opening.png') });
  // A page that comes later finds it opening too.
  await page.reload();
  await expect(page.getByTestId('engine-open-steps')).toContainText("echo 'workers = 4'");
  held.release();
  await expectLayerRows(page, basic);
  await expect(card).toHaveCount(0);
  await expect(page.getByTestId('error-banner')).toHaveCount(0);
});

test('a docker://REF the engine does not have fails strata web before it serves', async () => {
  // Awaited to its preview, as an archive is: an image not there is said at once, exit code 2.
  await expect(startStrataWeb(environment(), ['docker://strata-test/absent:1'])).rejects.toThrow(
    /exited with 2 before printing its URL:\nstrata: .*strata-test\/absent:1/,
  );
});

test('cancels from the page a docker://REF the command line is opening', async ({ page }) => {
  const held = await startWithHeldExport();
  await page.goto(server!.url);
  await expect(page.getByTestId('engine-open-steps')).toContainText("echo 'workers = 4'");
  await page.getByTestId('engine-open-cancel').click();
  await expect(page.getByTestId('engine-opening')).toHaveCount(0);
  await expect(page.getByTestId('drop-zone')).toBeVisible();
  held.release();
  await expect.poll(() => slow.openConnections(/\/images\/get/), { timeout: 5_000 }).toBe(0);
  // Cancelled is not failed: no banner, now or for a page that comes later.
  await expect(page.getByTestId('error-banner')).toHaveCount(0);
  await page.reload();
  await expect(page.getByTestId('drop-zone')).toBeVisible();
  await expect(page.getByTestId('image-tab')).toHaveCount(0);
  await expect(page.getByTestId('error-banner')).toHaveCount(0);
});
