// Playwright globalSetup: the same fixtures as vitest's (e2e/global-setup.ts). Specs read their
// paths with fixturePaths() from e2e/fixtures; STRATA_FIXTURES reaches the workers too.
import { ensureFixtures } from './fixtures/build';
import { guardInputs } from './fixtures/read-only-guard';
import { currentManifestPath } from './fixtures/manifest';

export default async function globalSetup(): Promise<() => Promise<void>> {
  const manifest = await ensureFixtures();
  process.env.STRATA_FIXTURES = currentManifestPath();
  // Playwright runs the returned function as the global teardown.
  return guardInputs(manifest);
}
