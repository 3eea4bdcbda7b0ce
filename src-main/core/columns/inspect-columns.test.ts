import { describe, expect, it } from 'vitest';
import { fixturePaths } from '../../../e2e/fixtures';
import { findFindings } from '../analysis/findings';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StrataError } from '../errors';
import { IndexStore } from '../layer/index-store';
import { layersReadOnWorkers, stopLayerWorkers, useLayerWorkers } from '../layer/layer-workers';
import { loadImage } from '../image/load-image';
import { MALFORMED_CASES, WARNING_CASES, wrongDiffIdArchive } from '../testing/malformed-cases';
import { summarize } from '../inspect';
import { findingsOfColumns, summarizeColumns } from './inspect-columns';
import { loadColumns } from './load-columns';

/** What inspecting `path` gives: its JSON, or the message of the error it fails with. */
async function outcome(inspect: (path: string) => Promise<unknown>, path: string) {
  try {
    return await inspect(path);
  } catch (err) {
    if (err instanceof StrataError) return `${err.code}: ${err.message}`;
    throw err;
  }
}

const SCRIPT = new URL('../../../out/main/layer-worker.js', import.meta.url);

async function throughModel(path: string) {
  const model = await loadImage(path, { store: null });
  try {
    return { ...summarize(model), findings: await findFindings(model) };
  } finally {
    await model.close();
  }
}

async function throughColumns(path: string, store: IndexStore | null = null) {
  const image = await loadColumns(path, { store });
  try {
    return { ...summarizeColumns(image), findings: await findingsOfColumns(image) };
  } finally {
    await image.close();
  }
}

describe('inspect on interned paths', () => {
  it("gives the image model's summary and findings, for every fixture in every form", async () => {
    const { fixtures } = fixturePaths();
    let findings = 0;
    for (const [name, forms] of Object.entries(fixtures)) {
      for (const form of ['archive', 'ociGzip', 'ociZstd', 'archiveGz'] as const) {
        const expected = await throughModel(forms[form]);
        expect(await throughColumns(forms[form]), `${name} ${form}`).toEqual(expected);
        findings += expected.findings.length;
      }
    }
    expect(findings).toBeGreaterThan(20);
  });

  it('fails on every malformed archive as the image model does, and warns as it does', async () => {
    for (const c of [...MALFORMED_CASES, ...WARNING_CASES]) {
      const path = await c.build();
      const expected = await outcome(throughModel, path);
      expect(await outcome(throughColumns, path), c.name).toEqual(expected);
    }
    const { path } = await wrongDiffIdArchive();
    expect(await outcome(throughColumns, path)).toEqual(await outcome(throughModel, path));
  });

  it('reads layers on the layer workers, and from the index store, to the same', async () => {
    useLayerWorkers({ script: SCRIPT, minBytes: 0 });
    const store = new IndexStore(
      mkdtempSync(join(tmpdir(), 'strata-columns-store-')),
      undefined,
      0,
    );
    const before = layersReadOnWorkers();
    try {
      const { fixtures } = fixturePaths();
      for (const name of ['edge', 'secrets', 'compare-v1'] as const) {
        for (const form of ['archive', 'ociGzip', 'ociZstd'] as const) {
          const path = fixtures[name][form];
          const expected = await throughModel(path);
          expect(await throughColumns(path, store), `${name} ${form}`).toEqual(expected);
          const read = layersReadOnWorkers();
          expect(await throughColumns(path, store), `${name} ${form} again`).toEqual(expected);
          expect(layersReadOnWorkers(), 'read from the store').toBe(read);
        }
      }
      expect(layersReadOnWorkers() - before).toBeGreaterThan(10);
      expect(readdirSync(store.dir).length).toBeGreaterThan(5);
    } finally {
      useLayerWorkers({ script: null });
      await stopLayerWorkers();
    }
  });
});
