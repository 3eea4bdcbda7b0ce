// The desktop app end to end: Playwright launches the built Electron app (out/main/index.js)
// with a fixture archive on its command line. Needs an Electron binary, which `npm install`
// downloads from a host this machine may not reach: without one, the spec says so and skips.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { _electron as electron, expect, test } from '@playwright/test';
import { REPO_ROOT } from './fixtures/manifest';
import { expectLayerRows, loadFixture, watchCspViolations } from './layer-expectations';

/**
 * The Electron binary `require('electron')` would name, if it is really there. Found the way
 * electron/index.js finds it (ELECTRON_OVERRIDE_DIST_PATH, else dist/ + path.txt), without
 * requiring that file: since Electron 36 it starts a download when the binary is missing.
 */
function electronBinary(): string | null {
  let packageDir: string;
  try {
    packageDir = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch {
    return null;
  }
  const pathFile = join(packageDir, 'path.txt');
  const name = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : '';
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  const binary = override
    ? join(override, name || 'electron')
    : name
      ? join(packageDir, 'dist', name)
      : null;
  return binary !== null && existsSync(binary) ? binary : null;
}

const binary = electronBinary();
const SKIP_REASON =
  'No Electron binary is installed (ELECTRON_SKIP_BINARY_DOWNLOAD or no network to its download host); this spec runs where `npx electron --version` works';
test.skip(binary === null, SKIP_REASON);
// Said once, by the runner process (workers have TEST_WORKER_INDEX), so the log shows why.
if (binary === null && process.env.TEST_WORKER_INDEX === undefined) {
  process.stderr.write(`e2e/electron.spec.ts is skipped: ${SKIP_REASON}\n`);
}

const MAIN_ENTRY = join(REPO_ROOT, 'out', 'main', 'index.js');

test('opens the archive given on the command line, in a locked-down window', async () => {
  const basic = await loadFixture('basic');
  expect(existsSync(MAIN_ENTRY), 'out/main/index.js exists: run npm run build').toBe(true);
  const app = await electron.launch({
    executablePath: binary!,
    // Chromium refuses to start as root without --no-sandbox (CI runs as root).
    args: [...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), MAIN_ENTRY, basic.archive],
    cwd: REPO_ROOT,
  });
  try {
    const window = await app.firstWindow();
    const cspViolations = await watchCspViolations(window);
    await expectLayerRows(window, basic);
    await window.screenshot({ path: test.info().outputPath('electron-command-line.png') });

    // The page runs at app://strata/ with the bridge and nothing of Node (window-options.test.ts
    // checks the webPreferences themselves; Electron has no public getter for them).
    expect(window.url()).toBe('app://strata/index.html');
    const page = await window.evaluate(() => ({
      require: typeof (globalThis as { require?: unknown }).require,
      process: typeof (globalThis as { process?: unknown }).process,
      bridge: Object.keys((globalThis as unknown as { strata: object }).strata).sort(),
    }));
    expect(page).toEqual({
      require: 'undefined',
      process: 'undefined',
      bridge: [
        'dialog:openArchive',
        'image:close',
        'image:list',
        'image:open',
        'image:openDemo',
        'onEvent',
        'pathForFile',
      ],
    });
    // Navigation away from the app is refused.
    await window.evaluate(() => {
      (globalThis as unknown as { location: { href: string } }).location.href =
        'https://example.com/';
    });
    await window.waitForTimeout(500);
    expect(window.url()).toBe('app://strata/index.html');
    expect(await cspViolations()).toEqual([]);
  } finally {
    await app.close();
  }
});
