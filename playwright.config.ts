import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, findChromium } from './e2e/fixtures/chromium';

// Debian's Chromium only: Playwright never downloads a browser here.
process.env.PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD = '1';
// The `strata web` servers specs start keep no layer indexes in the user's cache.
process.env.STRATA_INDEX_CACHE = '0';
// Every compressed layer those servers read goes through a layer worker, however small.
process.env.STRATA_LAYER_WORKER_MIN_BYTES = '0';

export default defineConfig({
  testDir: 'e2e',
  testMatch: '*.spec.ts',
  workers: 1,
  fullyParallel: false,
  forbidOnly: process.env.CI === 'true',
  timeout: 60_000,
  globalSetup: './e2e/global-setup.playwright.ts',
  outputDir: 'test-results',
  reporter: 'list',
  use: {
    browserName: 'chromium',
    launchOptions: { executablePath: findChromium(), args: [...CHROMIUM_ARGS] },
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
  },
});
