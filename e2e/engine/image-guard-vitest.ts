// The image-list guard for vitest engine tests: one line at the top of a test file,
//   const images = guardEngineImages(() => engine);
// records the engine's images before each test of the file and fails the test that changed them
// (`images.allow(why, /strata-test\/kept/)` declares a change on purpose).
import { afterEach, beforeEach } from 'vitest';
import { ImageListGuard, type GuardedEngine } from './image-guard';

export function guardEngineImages(
  engineOf: () => GuardedEngine | null | undefined,
): ImageListGuard {
  const guard = new ImageListGuard(engineOf);
  beforeEach(() => guard.snapshot());
  afterEach(() => guard.verify());
  return guard;
}
