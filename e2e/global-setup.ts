// vitest globalSetup: builds the engine fixtures (or finds them cached) before any test file runs.
// Tests get the paths with fixturePaths() from e2e/fixtures (works in Playwright too), or with
// inject('fixtures') in vitest.
import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { ensureFixtures } from './fixtures/build';
import { guardInputs } from './fixtures/read-only-guard';
import { currentManifestPath, type FixtureManifest } from './fixtures/manifest';

declare module 'vitest' {
  export interface ProvidedContext {
    fixtures: FixtureManifest;
  }
}

export async function setup(project: TestProject): Promise<() => Promise<void>> {
  const manifest = await ensureFixtures();
  process.env.STRATA_FIXTURES = currentManifestPath();
  project.provide('fixtures', manifest);
  // the teardown: every input archive still has the bytes it had before the tests
  return guardInputs(manifest);
}
