// Findings on an engine-built image that copies secrets in and deletes some later: exactly
// those, with the right layers, and secrets masked everywhere.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../src-main/api/findings';
import { findFindings } from '../src-main/core/analysis/findings';
import { loadImage } from '../src-main/core/image/load-image';
import { fixturePaths } from './fixtures';

const run = promisify(execFile);
const archive = fixturePaths().fixtures.secrets.archive;

async function findings(path: string): Promise<Finding[]> {
  const model = await loadImage(path);
  try {
    return await findFindings(model);
  } finally {
    await model.close();
  }
}

describe('findings in an engine-built image', () => {
  it('are exactly the planted ones, each with the layer and step that added it', async () => {
    const found = await findings(archive);
    // layers: 0 base, 1 busybox links, 2 COPY deploy_key, 3 COPY app/, 4 npm cache, 5 setuid, 6 rm
    expect(found.map((f) => [f.kind, f.path, f.layer, f.goneIn])).toEqual([
      ['private-key', '/root/.ssh/id_ed25519', 2, 6],
      ['token', '/app/.npmrc', 3, null],
      ['token', '/app/config.js', 3, null],
      ['env-file', '/app/.env', 3, null],
      ['package-cache', '/root/.npm', 4, 6],
      ['setuid', '/usr/bin/suid-helper', 5, null],
    ]);
    expect(found.find((f) => f.kind === 'private-key')!.command).toMatch(
      /COPY file:\w+ in \/root\/\.ssh\/id_ed25519/,
    );
    expect(found.find((f) => f.kind === 'env-file')!.detail).toBe(
      'secrets in an env file: API_TOKEN=tok-****************a5b9',
    );
  });

  it('are the same in the OCI gzip and zstd forms', async () => {
    const brief = (f: Finding[]) => f.map((x) => [x.kind, x.path, x.layer, x.goneIn]);
    const files = fixturePaths().fixtures.secrets;
    expect(brief(await findings(files.ociGzip))).toEqual(brief(await findings(archive)));
    expect(brief(await findings(files.ociZstd))).toEqual(brief(await findings(archive)));
  });

  it('never print a secret whole, and fail `strata ci --fail-on secrets`', async () => {
    const { stdout } = await run(process.execPath, ['bin/strata.js', 'inspect', archive, '--json']);
    expect(stdout).not.toContain('AKIAIOSFODNN7EXAMPLE');
    expect(stdout).not.toContain('tok-3f9a2b7c1d8e4f60a5b9');
    expect(stdout).not.toContain('npm_0123456789abcdefghijABCDEFGHIJklmnop');
    expect(stdout).not.toContain('b3BlbnNzaC1rZXktdjE');
    const ci = await run(process.execPath, [
      'bin/strata.js',
      'ci',
      archive,
      '--fail-on',
      'secrets',
    ]).catch((e: { code: number; stdout: string }) => e);
    expect((ci as { code?: number }).code).toBe(1);
    expect((ci as { stdout: string }).stdout).toMatch(
      /^FAIL {2}no-secrets: 4 findings: .*\/root\/\.ssh\/id_ed25519 \(layer 2, deleted in 6 but still stored\)/m,
    );
  });
});
