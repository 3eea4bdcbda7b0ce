// `npm start` first runs bin/ensure-electron.js, since electron-vite does not fetch Electron's
// binary. Where it cannot be fetched (a mirror nobody listens on, here), one line says so and
// names the browser mode; where the binary is there already, it lets the start go on.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const script = fileURLToPath(new URL('../../bin/ensure-electron.js', import.meta.url));
const electronDir = dirname(createRequire(import.meta.url).resolve('electron/install.js'));

it('says in one line why Electron could not be fetched, and what runs without it', () => {
  const cache = mkdtempSync(join(tmpdir(), 'strata-electron-cache-'));
  try {
    const result = spawnSync(process.execPath, [script], {
      encoding: 'utf8',
      env: { ...process.env, ELECTRON_MIRROR: 'http://127.0.0.1:9/', electron_config_cache: cache },
      timeout: 60_000,
    });
    if (existsSync(join(electronDir, 'path.txt'))) {
      expect(result.status).toBe(0);
      return;
    }
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(
      /^Could not download Electron's binary from its release host \(.+\)\. The browser mode runs the same app without it: npm run web\n$/,
    );
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
});
