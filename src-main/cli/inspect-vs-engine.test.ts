// `strata inspect --json` against the Docker engine's own answers for the images it built
// (e2e/fixtures). The engine is the oracle: when they disagree, Strata is wrong.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import type { InspectResult } from '../api/model';
import {
  fixturePaths,
  readEngineRecord,
  type EngineRecord,
  type FixtureName,
} from '../../e2e/fixtures';
import { REPO_ROOT } from '../../e2e/fixtures/manifest';
import { readSavedImage, type SavedImage } from '../../e2e/fixtures/saved-archive';

const run = promisify(execFile);
const CLI = join(REPO_ROOT, 'out', 'main', 'cli.js');
const BIN = join(REPO_ROOT, 'bin', 'strata.js');

async function inspectJson(archive: string): Promise<InspectResult> {
  const { stdout } = await run(process.execPath, [BIN, 'inspect', archive, '--json'], {
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(stdout) as InspectResult;
}

const sorted = (values: readonly string[] | null | undefined): string[] =>
  [...(values ?? [])].sort();
/** Engine history times are whole seconds; config times are RFC 3339 with nanoseconds. */
const seconds = (created: string | null | undefined): number | null =>
  created ? Math.floor(Date.parse(created) / 1000) : null;

const names = Object.keys(fixturePaths().fixtures) as FixtureName[];

describe.each(names)('strata inspect %s agrees with the engine', (name) => {
  let result: InspectResult;
  let engine: EngineRecord;
  let saved: SavedImage;

  beforeAll(async () => {
    if (!existsSync(CLI))
      throw new Error(`${CLI} is missing: run \`npm run build\` before the tests.`);
    const files = fixturePaths().fixtures[name];
    engine = readEngineRecord(files.engine);
    saved = await readSavedImage(files.archive);
    result = await inspectJson(files.archive);
  });

  it('identifies the image as the engine does', () => {
    expect(result.image.id).toBe(engine.inspect.Id);
    expect(sorted(result.image.tags)).toEqual(sorted(engine.inspect.RepoTags));
    expect(result.image.os).toBe(engine.inspect.Os);
    expect(result.image.architecture).toBe(engine.inspect.Architecture);
    expect(Date.parse(result.image.created ?? '')).toBe(Date.parse(engine.inspect.Created));
  });

  it('reads the config as the engine does', () => {
    const config = engine.inspect.Config as {
      Env?: string[] | null;
      Cmd?: string[] | null;
      Entrypoint?: string[] | null;
      WorkingDir?: string;
      User?: string;
      Labels?: Record<string, string> | null;
      ExposedPorts?: Record<string, unknown> | null;
    };
    expect(result.image.config.env).toEqual(config.Env ?? []);
    expect(result.image.config.cmd).toEqual(config.Cmd ?? null);
    expect(result.image.config.entrypoint).toEqual(config.Entrypoint ?? null);
    expect(result.image.config.workingDir).toBe(config.WorkingDir ?? '');
    expect(result.image.config.user).toBe(config.User ?? '');
    expect(result.image.config.labels).toEqual(config.Labels ?? {});
    expect(sorted(result.image.config.exposedPorts)).toEqual(
      sorted(Object.keys(config.ExposedPorts ?? {})),
    );
  });

  it("has the engine's layers, in order", () => {
    const diffIds = engine.inspect.RootFS.Layers;
    expect(result.layers).toHaveLength(diffIds.length);
    result.layers.forEach((layer, i) => {
      expect(layer.index).toBe(i);
      expect(layer.diffId).toBe(diffIds[i]);
    });
  });

  it("has the engine's history, oldest first, with the layer each step made", () => {
    const engineSteps = [...engine.history].reverse(); // the engine answers newest first
    const configSteps = saved.config.history ?? [];
    expect(result.history).toHaveLength(engineSteps.length);
    expect(configSteps).toHaveLength(engineSteps.length);
    let nextLayer = 0;
    result.history.forEach((step, i) => {
      const engineStep = engineSteps[i]!;
      const where = `history[${i}] ${engineStep.CreatedBy}`;
      expect(step.command, where).toBe(engineStep.CreatedBy);
      expect(seconds(step.created), where).toBe(engineStep.Created);
      // The config's empty_layer flags say which steps made a layer; a step that made a layer
      // of size 0 (only deletions, say) is not empty.
      const empty = configSteps[i]!.empty_layer === true;
      expect(step.emptyLayer, where).toBe(empty);
      if (empty) {
        expect(engineStep.Size, where).toBe(0);
        expect(step.layerIndex, where).toBeNull();
      } else {
        expect(step.layerIndex, where).toBe(nextLayer);
        const layer = result.layers[nextLayer]!;
        expect(layer.size, `layer ${nextLayer} size (${where})`).toBe(engineStep.Size);
        expect(layer.command, `layer ${nextLayer} command`).toBe(engineStep.CreatedBy);
        expect(seconds(layer.created), `layer ${nextLayer} created`).toBe(engineStep.Created);
        nextLayer++;
      }
    });
    expect(nextLayer).toBe(result.layers.length);
  });

  it('totals the layer sizes the engine reports', () => {
    const engineTotal = engine.history.reduce((sum, step) => sum + step.Size, 0);
    expect(result.layers.reduce((sum, layer) => sum + layer.size, 0)).toBe(engineTotal);
    expect(engine.inspect.Size).toBe(engineTotal);
  });
});
