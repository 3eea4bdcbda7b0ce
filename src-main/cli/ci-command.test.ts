// `strata ci` end to end: the built CLI on an engine-built fixture, thresholds set just above and
// just below the measured figures.
import { execFile } from 'node:child_process';
import { readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { fixturePaths } from '../../e2e/fixtures';

const run = promisify(execFile);
const archive = fixturePaths().fixtures.basic.archive;

async function strata(
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['bin/strata.js', ...args]);
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('strata ci', () => {
  it('passes just below the measured figures and fails just above, one line per rule', async () => {
    const { stdout } = await strata('inspect', archive, '--json');
    const { efficiency } = JSON.parse(stdout) as {
      efficiency: { score: number; wastedBytes: number };
    };
    const pass = await strata(
      'ci',
      archive,
      '--min-efficiency',
      String(efficiency.score - 0.001),
      '--max-wasted-bytes',
      String(efficiency.wastedBytes),
    );
    expect(pass.code).toBe(0);
    expect(
      pass.stdout
        .trim()
        .split('\n')
        .map((l) => l.slice(0, 4)),
    ).toEqual(['PASS', 'PASS']);
    const fail = await strata(
      'ci',
      archive,
      '--min-efficiency',
      String(efficiency.score + 0.001),
      '--max-wasted-bytes',
      String(efficiency.wastedBytes - 1),
    );
    expect(fail.code).toBe(1);
    expect(fail.stdout).toMatch(/^FAIL {2}min-efficiency: efficiency/m);
    expect(fail.stdout).toMatch(/^FAIL {2}max-wasted-bytes: wasted/m);
  });

  it('writes a JUnit report and JSON for machines', async () => {
    const junit = join(mkdtempSync(join(tmpdir(), 'strata-junit-')), 'ci.xml');
    const result = await strata(
      'ci',
      archive,
      '--min-efficiency',
      '0.99',
      '--json',
      '--junit',
      junit,
    );
    expect(result.code).toBe(1);
    const json = JSON.parse(result.stdout) as {
      passed: boolean;
      rules: { name: string; passed: boolean }[];
    };
    expect(json.passed).toBe(false);
    expect(json.rules).toMatchObject([{ name: 'min-efficiency', passed: false }]);
    expect(readFileSync(junit, 'utf8')).toMatch(
      /<testsuite name="basic\.tar" tests="1" failures="1"/,
    );
  });

  it('exits 2 with one line for a bad threshold', async () => {
    const result = await strata('ci', archive, '--max-wasted-bytes', 'plenty');
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'strata: ci: --max-wasted-bytes: "plenty" is not a size (examples: 20MB, 1.5GiB, 5000000)\n',
    );
  });
});
