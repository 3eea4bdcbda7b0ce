// The CLI's own flags, through the built entry point as a user runs it.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

describe('strata', () => {
  it.each(['--version', '-V', 'version'])('prints its version for %s', async (flag) => {
    const { stdout, stderr } = await run(process.execPath, ['bin/strata.js', flag]);
    expect(stdout).toBe(`strata ${version}\n`);
    expect(stderr).toBe('');
  });

  it('names --version in its help', async () => {
    const { stdout } = await run(process.execPath, ['bin/strata.js', '--help']);
    expect(stdout).toMatch(/^ {2}-V, --version +Strata's version$/m);
  });
});
