// Which command-line arguments are archives to open: `strata-app a.tar b.tar` in a packaged app,
// `electron . a.tar` (or Playwright's `electron [flags] out/main/index.js a.tar`) in development.
// Free of electron imports so it is tested with plain vitest.
import { isAbsolute, resolve } from 'node:path';

export interface LaunchContext {
  /** `process.defaultApp`: true when the first argument after the executable is the app path. */
  defaultApp: boolean;
  /** Where relative paths are resolved (the launching shell's working directory). */
  cwd: string;
}

/** The archive paths in `argv` (process.argv or a second instance's argv), absolute. */
export function archiveArgs(argv: readonly string[], context: LaunchContext): string[] {
  const args = argv.slice(1);
  const paths: string[] = [];
  let skippedAppPath = !context.defaultApp;
  let afterDoubleDash = false;
  for (const arg of args) {
    if (!afterDoubleDash && arg === '--') {
      afterDoubleDash = true;
      continue;
    }
    // Chromium and Electron switches (--inspect=0, --remote-debugging-port=0, --no-sandbox, ...).
    if (!afterDoubleDash && arg.startsWith('-')) continue;
    if (!skippedAppPath) {
      skippedAppPath = true;
      continue;
    }
    if (arg === '') continue;
    paths.push(isAbsolute(arg) ? arg : resolve(context.cwd, arg));
  }
  return paths;
}
