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

  it.each([
    ['inspect', ['inspect', '--help']],
    ['ls', ['ls', 'image.tar', '-h']],
    ['cat', ['help', 'cat']],
    ['diff', ['diff', 'a.tar', '--help', 'b.tar']],
    ['ci', ['ci', '--json', '--help']],
    ['web', ['web', '--help']],
  ])('prints the help of %s for %j', async (command, args) => {
    const { stdout, stderr } = await run(process.execPath, ['bin/strata.js', ...args]);
    expect(stdout).toMatch(new RegExp(`^Usage:\n {2}${command} `));
    expect(stdout).toContain('SOURCE is a docker save');
    expect(stdout.includes('--platform OS/ARCH')).toBe(command !== 'web');
    expect(stderr).toBe('');
  });

  it('reads --help after -- as an argument, not as a question', async () => {
    const failed = await run(process.execPath, [
      'bin/strata.js',
      'cat',
      'nowhere.tar',
      '--',
      '--help',
    ]).catch((err: { code: number; stderr: string }) => err);
    expect(failed).toMatchObject({ code: 2, stderr: 'strata: nowhere.tar: no such file\n' });
  });

  it('names --version in its help', async () => {
    const { stdout } = await run(process.execPath, ['bin/strata.js', '--help']);
    expect(stdout).toMatch(/^ {2}-V, --version +Strata's version$/m);
  });
});
