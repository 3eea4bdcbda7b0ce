#!/usr/bin/env node
// `npm start` and `npm run dev` run this first. Electron (45+) fetches its binary when first
// used rather than when installed, and electron-vite does not ask it to (it stops with "Electron
// uninstall"): this fetches it once, through the electron package's own installer, or says in one
// line why it could not and what runs without it.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const installer = createRequire(import.meta.url).resolve('electron/install.js');
const result = spawnSync(process.execPath, [installer], {
  encoding: 'utf8',
  stdio: ['ignore', 'inherit', 'pipe'],
});
if (result.status === 0) process.exit(0);
const why =
  (result.stderr ?? '')
    .split('\n')
    .find((line) => line.trim())
    ?.trim() ?? `the installer exited with ${result.status ?? result.signal}`;
process.stderr.write(
  `Could not download Electron's binary from its release host (${why}). The browser mode runs ` +
    'the same app without it: npm run web\n',
);
process.exit(1);
