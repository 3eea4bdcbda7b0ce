// Browser mode end to end: `strata web` serves the real UI over the real core; Debian's Chromium
// opens fixture archives the ways a person would (file chooser, drop, command line).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { expect, test, type Page } from '@playwright/test';
import {
  expectLayerRows,
  loadFixture,
  STRATA_BIN,
  watchCspViolations,
  type Fixture,
} from './layer-expectations';
import { manyEntriesArchive } from '../src-main/core/testing/many-entries';
import { EXPLORER_DIR } from './explorer-fixture';

interface StrataWeb {
  url: string;
  stop(): Promise<void>;
}

/** Starts `strata web --port 0 [SOURCE...]` and reads the URL from its first stdout line. */
async function startStrataWeb(
  sources: string[] = [],
  env: NodeJS.ProcessEnv = {},
): Promise<StrataWeb & { stderr(): string }> {
  const child: ChildProcess = spawn(
    process.execPath,
    [STRATA_BIN, 'web', '--port', '0', ...sources],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const lines = createInterface({ input: child.stdout! });
  const firstLine = new Promise<string>((resolve) => lines.once('line', resolve));
  const url = await Promise.race([
    firstLine,
    exited.then((code) => {
      throw new Error(`strata web exited with ${code} before printing its URL:\n${stderr}`);
    }),
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`strata web printed no URL in 30 s:\n${stderr}`)), 30_000),
    ),
  ]);
  expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{43}$/);
  return {
    url,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

let basic: Fixture;
let server: StrataWeb | undefined;
let cspViolations: () => Promise<string[]>;

test.beforeAll(async () => {
  basic = await loadFixture('basic');
});

test.beforeEach(async ({ page }) => {
  cspViolations = await watchCspViolations(page);
});

test.afterEach(async () => {
  expect(await cspViolations(), 'Content-Security-Policy violations').toEqual([]);
  await server?.stop();
  server = undefined;
});

async function openHome(page: Page): Promise<void> {
  server = await startStrataWeb();
  await page.goto(server.url);
  await expect(page.getByTestId('drop-zone')).toBeVisible();
  // The token left the address bar; the HttpOnly cookie carries the session from here on.
  expect(new URL(page.url()).searchParams.has('token')).toBe(false);
}

test('opens an archive chosen with the file chooser, with progress and calls over the WebSocket', async ({
  page,
}) => {
  // The socket connects under the page's CSP (connect-src 'self' covers ws: to itself).
  const frames: string[] = [];
  const sent: string[] = [];
  page.on('websocket', (socket) => {
    if (new URL(socket.url()).pathname === '/api/socket') {
      socket.on('framereceived', (frame) => frames.push(String(frame.payload)));
      socket.on('framesent', (frame) => sent.push(String(frame.payload)));
    }
  });
  // The opening card, however briefly it shows: the most build steps and indexed layers it had.
  await page.addInitScript({
    content: `
      const seen = (window.__archiveOpening = { steps: 0, indexed: 0 });
      new MutationObserver(() => {
        const rows = '[data-testid="archive-open-step"]';
        seen.steps = Math.max(seen.steps, document.querySelectorAll(rows).length);
        const done = document.querySelectorAll(rows + '[data-indexed="true"]').length;
        seen.indexed = Math.max(seen.indexed, done);
      }).observe(document, { subtree: true, childList: true, attributes: true });
    `,
  });
  await openHome(page);
  const chooser = page.waitForEvent('filechooser');
  await page.getByTestId('open-archive').click();
  await (await chooser).setFiles(basic.archive);
  await expectLayerRows(page, basic);
  const events = frames.map(
    (frame) =>
      JSON.parse(frame) as {
        type: string;
        source: string;
        preview?: { steps: { layerIndex: number | null }[] };
      },
  );
  expect(events.some((event) => event.type === 'progress' && event.source === 'basic.tar')).toBe(
    true,
  );
  // The image's steps came before its layers were read, and the page showed them, checking off
  // each layer as it was stacked.
  const previewAt = events.findIndex((event) => event.type === 'open-preview');
  const layersAt = events.flatMap((event, i) => (event.type === 'open-layer' ? [i] : []));
  expect(previewAt).toBeGreaterThanOrEqual(0);
  expect(layersAt).toHaveLength(basic.layers.length);
  expect(layersAt[0]).toBeGreaterThan(previewAt);
  const steps = events[previewAt]!.preview!.steps;
  const seen = await page.evaluate(
    () =>
      (globalThis as unknown as { __archiveOpening: { steps: number; indexed: number } })
        .__archiveOpening,
  );
  expect(seen).toEqual({
    steps: steps.length,
    indexed: steps.filter((step) => step.layerIndex !== null).length,
  });
  // The layer list's calls went on the socket, each answered there by its number.
  const calls = sent.map((frame) => JSON.parse(frame) as { call: number; channel: string });
  expect(calls.map((call) => call.channel)).toContain('view:open');
  await expect
    .poll(() => {
      const answered = new Set(
        frames.map((frame) => (JSON.parse(frame) as { reply?: number }).reply),
      );
      return calls.filter((call) => !answered.has(call.call)).length;
    })
    .toBe(0);
  await page.screenshot({ path: test.info().outputPath('web-file-chooser.png'), fullPage: true });
});

test('opens an archive dropped on the page', async ({ page }) => {
  await openHome(page);
  const base64 = (await readFile(basic.archive)).toString('base64');
  const dataTransfer = await page.evaluateHandle((data) => {
    // Runs in the page (e2e is typed without the DOM).
    const page = globalThis as unknown as {
      DataTransfer: new () => { items: { add(file: File): void } };
    };
    const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
    const transfer = new page.DataTransfer();
    transfer.items.add(new File([bytes], 'basic.tar', { type: 'application/x-tar' }));
    return transfer;
  }, base64);
  const zone = page.getByTestId('drop-zone');
  await zone.dispatchEvent('dragenter', { dataTransfer });
  await zone.dispatchEvent('dragover', { dataTransfer });
  await zone.dispatchEvent('drop', { dataTransfer });
  await expectLayerRows(page, basic);
  await expect(page.getByTestId('image-title')).toContainText('basic');
  await page.screenshot({ path: test.info().outputPath('web-drop.png'), fullPage: true });
});

test('opens an archive by its path on the machine, read where it lies, not uploaded', async ({
  page,
}) => {
  const uploads: string[] = [];
  page.on('request', (request) => {
    if (new URL(request.url()).pathname === '/api/upload') uploads.push(request.url());
  });
  await openHome(page);
  const field = page.getByTestId('archive-path');
  const open = page.getByTestId('open-path');
  await expect(open).toBeDisabled();
  // A path that is not there: one banner naming it, the path left in the field to be fixed.
  await field.fill('/no/such/image.tar');
  await open.click();
  const banner = page.getByTestId('error-banner');
  await expect(banner).toContainText('/no/such/image.tar: no such file');
  await expect(field).toHaveValue('/no/such/image.tar');
  await page.screenshot({ path: test.info().outputPath('web-path-missing.png'), fullPage: true });

  await field.fill(`  ${basic.archive}  `);
  await field.press('Enter');
  await expectLayerRows(page, basic);
  await expect(page.getByTestId('image-tab')).toHaveAttribute('title', /basic\.tar/);
  expect(uploads).toEqual([]);
});

test('a path typed from ~ is in the home folder of the user Strata runs as', async ({ page }) => {
  const home = mkdtempSync(join(tmpdir(), 'strata-home-'));
  try {
    mkdirSync(join(home, 'images'));
    symlinkSync(basic.archive, join(home, 'images', 'basic.tar'));
    server = await startStrataWeb([], { HOME: home });
    await page.goto(server.url);
    await page.getByTestId('archive-path').fill('~/images/basic.tar');
    await page.getByTestId('archive-path').press('Enter');
    await expectLayerRows(page, basic);
  } finally {
    await server?.stop();
    server = undefined;
    rmSync(home, { recursive: true, force: true });
  }
});

test('shows the SOURCE given on the command line, opened at start', async ({ page }) => {
  server = await startStrataWeb([basic.archive]);
  await page.goto(server.url);
  await expectLayerRows(page, basic);
  await page.screenshot({ path: test.info().outputPath('web-command-line.png'), fullPage: true });

  // A reload has no token in the URL any more: the cookie must be enough.
  await page.reload();
  await expectLayerRows(page, basic);
});

/**
 * One layer of a million empty files: the manifest and config are read in a moment, the layer in
 * some 7 s here, several times what the page takes to load while it is read (320k entries left
 * under 2 s between them, and a loaded machine saw the image before the page asked for it).
 */
function slowArchive(): string {
  const archive = join(EXPLORER_DIR, 'web-slow-1m.tar');
  if (!existsSync(archive)) {
    mkdirSync(EXPLORER_DIR, { recursive: true });
    manyEntriesArchive(`${archive}.tmp`, 1_000_000);
    renameSync(`${archive}.tmp`, archive);
  }
  return archive;
}

test('serves a SOURCE from the command line while it opens, showing its steps first', async ({
  page,
}) => {
  // The URL comes once the archive's manifest and config are read, long before its layer is.
  server = await startStrataWeb([slowArchive()], { STRATA_INDEX_CACHE: '0' });
  await page.goto(server.url);
  const card = page.getByTestId('archive-opening');
  await expect(card).toBeVisible();
  await expect(card).toContainText('web-slow-1m.tar');
  await expect(page.getByTestId('archive-open-step')).toHaveCount(1);
  await page.screenshot({ path: test.info().outputPath('web-command-line-opening.png') });
  // Then the image itself, the card gone.
  await expect(page.getByTestId('layer-row')).toHaveCount(1, { timeout: 60_000 });
  await expect(card).toHaveCount(0);
});

test('an archive one page opens is not shown opening in another', async ({ page, context }) => {
  server = await startStrataWeb([], { STRATA_INDEX_CACHE: '0' });
  await page.goto(server.url);
  await page.getByTestId('archive-path').fill(slowArchive());
  await page.getByTestId('archive-path').press('Enter');
  await expect(page.getByTestId('archive-opening')).toBeVisible();
  // The first tab steps away (the server goes on opening) and a second one of the same server
  // (the browser's session cookie) loads while the archive is still being read.
  await page.goto('about:blank');
  const other = await context.newPage();
  await other.addInitScript({
    content: `
      window.__cardSeen = false;
      new MutationObserver(() => {
        if (document.querySelector('[data-testid="archive-opening"]')) window.__cardSeen = true;
      }).observe(document, { subtree: true, childList: true });
    `,
  });
  await other.goto(new URL(server.url).origin + '/');
  await expect(other.getByTestId('drop-zone')).toBeVisible();
  // Still opening when it loaded: the image was not listed yet.
  await expect(other.getByTestId('image-tab')).toHaveCount(0);
  const seen = await other.evaluate(
    () => (globalThis as unknown as { __cardSeen: boolean }).__cardSeen,
  );
  expect(seen, 'the second tab showed the open the first one asked for').toBe(false);
  await other.close();
});

test('keeps serving when a SOURCE fails after it showed, and says why in the page', async ({
  page,
}) => {
  // The layer passes the limit of entries after the manifest and config were read.
  const env = { STRATA_INDEX_CACHE: '0', STRATA_LIMIT_ENTRIES_PER_LAYER: '1000' };
  const started = await startStrataWeb([slowArchive()], env);
  server = started;
  await page.goto(started.url);
  const banner = page.getByTestId('error-banner');
  await expect(banner).toContainText('web-slow-1m.tar');
  await expect(banner).toContainText('STRATA_LIMIT_ENTRIES_PER_LAYER');
  await expect(page.getByTestId('archive-opening')).toHaveCount(0);
  await expect(page.getByTestId('drop-zone')).toBeVisible();
  expect(started.stderr()).toMatch(/^strata: .*web-slow-1m\.tar.*STRATA_LIMIT_ENTRIES_PER_LAYER/m);
});

test('refuses the page without the token', async ({ page }) => {
  server = await startStrataWeb();
  const bare = new URL(server.url);
  bare.search = '';
  const response = await page.goto(bare.href);
  expect(response?.status()).toBe(403);
  await expect(page.locator('body')).toContainText('token');
});
