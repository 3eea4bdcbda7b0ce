import { describe, expect, it } from 'vitest';
import { archiveArgs } from './launch-args';

describe('archiveArgs', () => {
  it('takes every argument of a packaged app, resolving relative paths', () => {
    expect(
      archiveArgs(['/opt/Strata/strata', 'a.tar', '/data/b.tar'], {
        defaultApp: false,
        cwd: '/home/me',
      }),
    ).toEqual(['/home/me/a.tar', '/data/b.tar']);
  });

  it('skips the app path of `electron . a.tar` and Chromium switches', () => {
    expect(
      archiveArgs(
        [
          '/usr/lib/electron/electron',
          '--inspect=0',
          '--remote-debugging-port=0',
          '/work/main/out/main/index.js',
          '--no-sandbox',
          'fixtures/basic.tar',
        ],
        { defaultApp: true, cwd: '/work/main' },
      ),
    ).toEqual(['/work/main/fixtures/basic.tar']);
    expect(archiveArgs(['electron', '.'], { defaultApp: true, cwd: '/w' })).toEqual([]);
  });

  it('takes names starting with a dash after --', () => {
    expect(archiveArgs(['strata', '--', '-odd.tar'], { defaultApp: false, cwd: '/w' })).toEqual([
      '/w/-odd.tar',
    ]);
  });
});
