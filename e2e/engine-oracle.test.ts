// The engine is the oracle: the merged file system Strata computes for an image's last layer
// (`strata ls --json`) is the one the engine itself makes for a container of that image
// (`docker export` of a created container, read here with tar-stream, not with Strata's core),
// and Strata's layer sizes are the engine's `docker history` sizes.
import { beforeAll, describe, expect, it } from 'vitest';
import type { ListedEntry } from '../src-main/core/image/layer-view';
import { FIXTURES, type FixtureName } from './fixtures/images';
import { fixturePaths, readEngineRecord, type EngineRecord } from './fixtures';
import { readStrataView, type StrataView } from './fixtures/strata-reader';
import {
  CONTAINER_INIT_PATHS,
  CONTAINER_INIT_TREES,
  isContainerInitPath,
  readTarListing,
  type TarListingEntry,
} from './fixtures/tar-listing';

/** An entry without Strata's change mark: what both sides describe. */
function described(entry: ListedEntry | TarListingEntry): TarListingEntry {
  const { path, type, size, mode, uid, gid, linkTarget } = entry;
  return { path, type, size, mode, uid, gid, linkTarget };
}

const names = Object.keys(FIXTURES) as FixtureName[];

describe.each(names)('%s: Strata agrees with the engine', (name) => {
  let view: StrataView;
  let record: EngineRecord;
  let exported: Map<string, TarListingEntry>;

  beforeAll(async () => {
    const files = fixturePaths().fixtures[name];
    record = readEngineRecord(files.engine);
    view = await readStrataView(files.archive);
    exported = (await readTarListing(files.export)).entries;
  });

  it('the export shows what the engine adds to a container, and Strata none of it', () => {
    // The engine adds at least these (anything more it added would show up as an extra path
    // in the comparison below, which excludes only these).
    const added = [...exported.keys()].filter(isContainerInitPath).sort();
    expect(added).toEqual(expect.arrayContaining([...CONTAINER_INIT_PATHS]));
    for (const top of CONTAINER_INIT_TREES) expect(added).toContain(top);
    // The fixtures write none of these paths, so nothing of the image is hidden by excluding
    // them from the comparison.
    const last = view.layers.at(-1)!;
    expect(last.filter((e) => isContainerInitPath(e.path)).map((e) => e.path)).toEqual([]);
  });

  it('ls --json of the last layer is the exported file system', () => {
    // `ls` also lists what the last layer removed (change `removed`): not in the merged tree.
    const strata = view.layers
      .at(-1)!
      .filter((e) => e.change !== 'removed')
      .map(described);
    const engine = [...exported.values()]
      .filter((e) => !isContainerInitPath(e.path))
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    expect(strata.map((e) => e.path)).toEqual(engine.map((e) => e.path));
    // Entry by entry, for a readable failure: type, size, mode & 0o7777, uid, gid, link target
    // (a hardlink as the export writes it: the first name of the inode in path order is the
    // file, the others link to it; the layers wrote the fixtures' hardlinks the same way).
    for (const [i, entry] of strata.entries()) expect(entry, entry.path).toEqual(engine[i]);
  });

  it("each layer's size is the engine's history size for its step", () => {
    const steps = [...record.history].reverse(); // the engine answers newest first
    const { history, layers } = view.inspect;
    expect(history).toHaveLength(steps.length);
    history.forEach((step, i) => {
      const engineStep = steps[i]!;
      expect(step.command, `history[${i}]`).toBe(engineStep.CreatedBy);
      if (step.layerIndex === null) expect(engineStep.Size, step.command).toBe(0);
      else expect(layers[step.layerIndex]!.size, step.command).toBe(engineStep.Size);
    });
    expect(layers.map((l) => l.diffId)).toEqual(record.inspect.RootFS.Layers);
  });
});
