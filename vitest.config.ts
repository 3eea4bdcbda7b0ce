import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    environment: 'node',
    include: ['src-main/**/*.test.ts', 'src-renderer/**/*.test.ts', 'e2e/**/*.test.ts'],
    // Building the fixtures (first run only) happens in the global setup, with its own bounds;
    // tests that run the CLI or talk to an engine still need more than the default 5 s.
    globalSetup: ['e2e/global-setup.ts'],
    testTimeout: 60_000,
    // The CLIs tests start keep no layer indexes in the user's cache (index-store.test.ts turns
    // the store on in a temp dir where it tests it).
    // Every compressed layer those CLIs read goes through a layer worker, however small.
    env: { STRATA_INDEX_CACHE: '0', STRATA_LAYER_WORKER_MIN_BYTES: '0' },
    hookTimeout: 120_000,
  },
});
