// Strata only reads from an engine: every engine test records the engine's image list (ID, tags,
// digests, through the Engine API) before it runs and checks it again after. A test that changes
// images on purpose either puts them back before it ends, or declares what it changes with
// allow(); anything else it left behind fails it, named.
//
// Vitest: `guardEngineImages(() => engine)` at the top of a test file (./image-guard-vitest).
// Playwright: `imageGuardTest(test, () => engine)` gives a `test` with an automatic fixture.
//
// A private engine (started by the tests, or a Podman service of their own) is compared whole.
// A shared one (DOCKER_HOST, or the default socket) may be used by other test files running at
// the same time, so there only the images that were there before and have a name outside the
// tests' own (strata-test/, strata-fixture/) are compared: a person's own images, which no test
// may touch.
import { dockerFor } from '../fixtures/engine-api';

export interface EngineImage {
  id: string;
  tags: string[];
  digests: string[];
}

/** The engine a guard watches, read when each test starts (it may be started in a beforeAll). */
export interface GuardedEngine {
  dockerHost: string;
  /** True when this test run started the engine: nothing else uses it. */
  started: boolean;
}

const NONE = new Set(['<none>:<none>', '<none>@<none>']);
const TEST_NAMES = /^(?:(?:docker\.io|localhost)\/)?strata-(?:test|fixture)\//;

/** GET /images/json?all=true: every image with its tags and repo digests, sorted. */
export async function engineImages(dockerHost: string): Promise<EngineImage[]> {
  const listed = await dockerFor(dockerHost).listImages({ all: true });
  return listed
    .map((image) => ({
      id: image.Id,
      tags: (image.RepoTags ?? []).filter((t) => !NONE.has(t)).sort(),
      digests: (image.RepoDigests ?? []).filter((d) => !NONE.has(d)).sort(),
    }))
    .sort((a, b) => a.id.localeCompare(b.id));
}

/** A change a test declares: the images it may add, remove or retag, and why. */
export interface Allowance {
  why: string;
  /** Matches an image (as it was before, or as it is after) the test may change. */
  matches: (image: EngineImage) => boolean;
}

const describeImage = (image: EngineImage): string =>
  `${image.id.slice(0, 19)} (${image.tags.join(', ') || 'untagged'})`;

/**
 * What differs between two lists that no allowance covers, one line per image. `shared`: only
 * images that were there before and have a name outside the tests' own are compared.
 */
export function imageListChanges(
  before: EngineImage[],
  after: EngineImage[],
  allowed: Allowance[] = [],
  shared = false,
): string[] {
  const was = new Map(before.map((image) => [image.id, image]));
  const now = new Map(after.map((image) => [image.id, image]));
  const isAllowed = (image: EngineImage | undefined) =>
    image !== undefined && allowed.some((a) => a.matches(image));
  const watched = (image: EngineImage) =>
    !shared || (image.tags.length > 0 && image.tags.some((t) => !TEST_NAMES.test(t)));
  const changes: string[] = [];
  for (const [id, old] of was) {
    if (!watched(old)) continue;
    const current = now.get(id);
    if (isAllowed(old) || isAllowed(current)) continue;
    if (!current) changes.push(`removed ${describeImage(old)}`);
    else if (old.tags.join() !== current.tags.join()) {
      changes.push(`retagged ${describeImage(old)} -> [${current.tags.join(', ')}]`);
    } else if (old.digests.join() !== current.digests.join()) {
      changes.push(
        `changed the digests of ${describeImage(old)}: [${old.digests.join(', ')}] -> [${current.digests.join(', ')}]`,
      );
    }
  }
  if (!shared) {
    for (const [id, image] of now) {
      if (!was.has(id) && !isAllowed(image)) changes.push(`added ${describeImage(image)}`);
    }
  }
  return changes;
}

/** One test file's guard: snapshot() before each test, verify() after it. */
export class ImageListGuard {
  private before: EngineImage[] | null = null;
  private engine: GuardedEngine | undefined;
  private allowed: Allowance[] = [];

  constructor(private readonly engineOf: () => GuardedEngine | null | undefined) {}

  /** Records the list; a no-op when the file has no engine (its tests skip). */
  async snapshot(): Promise<void> {
    this.allowed = [];
    this.engine = this.engineOf() ?? undefined;
    this.before = this.engine ? await engineImages(this.engine.dockerHost) : null;
  }

  /**
   * Declares, for the running test only, that it changes the images `matches` accepts (a
   * pattern for a tag or the ID, or a test of the image as it was before or is after), and why.
   */
  allow(why: string, matches: RegExp | ((image: EngineImage) => boolean)): void {
    const test =
      typeof matches === 'function'
        ? matches
        : (image: EngineImage) => matches.test(image.id) || image.tags.some((t) => matches.test(t));
    this.allowed.push({ why, matches: test });
  }

  /** Throws, naming every image the test changed without declaring it. */
  async verify(): Promise<void> {
    const { before, engine } = this;
    this.before = null;
    if (!before || !engine) return;
    const changes = imageListChanges(
      before,
      await engineImages(engine.dockerHost),
      this.allowed,
      !engine.started,
    );
    if (changes.length > 0) {
      throw new Error(
        `The test changed the engine's images at ${engine.dockerHost} and did not put them back (declare a change with allow(), or make it in a beforeAll): ${changes.join('; ')}`,
      );
    }
  }
}
