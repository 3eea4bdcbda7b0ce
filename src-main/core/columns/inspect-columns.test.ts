import { describe, expect, it } from 'vitest';
import { fixturePaths } from '../../../e2e/fixtures';
import { findFindings } from '../analysis/findings';
import { StrataError } from '../errors';
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

async function throughModel(path: string) {
  const model = await loadImage(path, { store: null });
  try {
    return { ...summarize(model), findings: await findFindings(model) };
  } finally {
    await model.close();
  }
}

async function throughColumns(path: string) {
  const image = await loadColumns(path, { store: null });
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
});
