// The image-list guard for Playwright engine specs: `const test = guardedTest(() => engine)`
// gives a `test` whose automatic `engineImages` fixture records the engine's images before each
// test and fails the test that changed them (`engineImages.allow(why, pattern)` declares one).
import { test as base } from '@playwright/test';
import { ImageListGuard, type GuardedEngine } from './image-guard';

export function guardedTest(engineOf: () => GuardedEngine | null | undefined) {
  return base.extend<{ engineImages: ImageListGuard }>({
    engineImages: [
      // eslint-disable-next-line no-empty-pattern -- Playwright reads the fixtures it needs from this pattern
      async ({}, use) => {
        const guard = new ImageListGuard(engineOf);
        await guard.snapshot();
        await use(guard);
        await guard.verify();
      },
      { auto: true },
    ],
  });
}
