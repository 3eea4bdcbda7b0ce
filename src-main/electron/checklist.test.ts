// Electron's security checklist (electronjs.org/docs/latest/tutorial/security), the parts a
// reading of the code proves: no `remote` module, no shell.openExternal, no security switch
// turned off, and a preload that hands the page functions, never ipcRenderer. Checked in the
// sources and, once `npm run build` has run, in the bundles Electron actually loads.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

function files(dir: string, keep: (name: string) => boolean): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return files(path, keep);
    return keep(name) ? [path] : [];
  });
}

/** The code without its comments (which may name what the code must not do). */
function code(path: string): string {
  return readFileSync(path, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/(^|[^:'"])\/\/.*$/gm, '$1');
}

const SOURCES = files(
  'src-main',
  (name) => /\.ts$/.test(name) && !/\.test\.ts$/.test(name) && name !== 'checklist.test.ts',
).filter((path) => !path.includes(join('src-main', 'core', 'testing')));
const ELECTRON_SOURCES = SOURCES.filter((path) => path.includes(join('src-main', 'electron')));
const BUILT = [...files('out/main', (n) => n.endsWith('.js')), ...files('out/preload', () => true)];

/** What none of the code Electron runs may contain. */
const FORBIDDEN: [string, RegExp][] = [
  ['shell.openExternal', /\bopenExternal\b/],
  [
    'the remote module',
    /@electron\/remote|\benableRemoteModule\b|\bremote\s*[:=]|electron\.remote\b|\{[^}]*\bremote\b[^}]*\}\s*=\s*require\(['"]electron['"]\)|import\s*\{[^}]*\bremote\b[^}]*\}\s*from\s*['"]electron['"]/,
  ],
  [
    'nodeIntegration on',
    /nodeIntegration(InWorker|InSubFrames)?\s*:\s*true|nodeIntegration(InWorker|InSubFrames)?:!0/,
  ],
  ['contextIsolation off', /contextIsolation\s*:\s*(false|!1)/],
  ['the sandbox off', /sandbox\s*:\s*(false|!1)|--no-sandbox|no-sandbox['"]\)/],
  ['webSecurity off', /webSecurity\s*:\s*(false|!1)/],
  ['insecure content', /allowRunningInsecureContent\s*:\s*(true|!0)/],
  ['experimental features', /experimentalFeatures\s*:\s*(true|!0)/],
  ['webviews', /webviewTag\s*:\s*(true|!0)/],
  ['a certificate error waved through', /certificate-error/],
];

describe('the Electron main process and preload', () => {
  it('are found where the checks look', () => {
    expect(ELECTRON_SOURCES.map((p) => p.split(/[\\/]/).pop())).toEqual(
      expect.arrayContaining(['main.ts', 'ipc.ts', 'preload.ts', 'window-options.ts']),
    );
  });

  it('would see each of them (the patterns are not blind)', () => {
    const samples = [
      'shell.openExternal(url)',
      "const { remote } = require('electron')",
      'nodeIntegration: true',
      'contextIsolation: false',
      'sandbox: false',
      'webSecurity: false',
      'allowRunningInsecureContent: true',
      'experimentalFeatures: true',
      'webviewTag: true',
      "app.on('certificate-error', allow)",
    ];
    FORBIDDEN.forEach(([what, pattern], i) => expect(samples[i], what).toMatch(pattern));
  });

  it.each(FORBIDDEN)('have no %s in their sources', (_, pattern) => {
    for (const path of SOURCES) expect(code(path), path).not.toMatch(pattern);
  });

  it.skipIf(BUILT.length === 0)('have none in the built bundles either (out/)', () => {
    expect(BUILT.some((path) => path.endsWith(join('preload', 'index.cjs')))).toBe(true);
    for (const path of BUILT) {
      const text = code(path);
      for (const [what, pattern] of FORBIDDEN)
        expect(text, `${what} in ${path}`).not.toMatch(pattern);
    }
  });

  it('expose one object to the page, made of functions, never ipcRenderer itself', () => {
    const preload = code('src-main/electron/preload.ts');
    expect(preload.match(/exposeInMainWorld\(/g)).toHaveLength(1);
    expect(preload).toContain("contextBridge.exposeInMainWorld('strata', bridge);");
    // Every use of ipcRenderer is a call made on the page's behalf, inside a function.
    const uses = [...preload.matchAll(/\bipcRenderer\b(\.\w+)?/g)].map((m) => m[1] ?? '');
    expect(new Set(uses)).toEqual(new Set(['', '.invoke', '.on', '.removeListener']));
    expect(preload.match(/\bipcRenderer\b(?!\.)/g)).toHaveLength(1); // the import, nothing else
  });

  it.skipIf(BUILT.length === 0)(
    'the built preload requires only what a sandboxed preload may',
    () => {
      const built = readFileSync('out/preload/index.cjs', 'utf8');
      const required = new Set(
        [...built.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]),
      );
      for (const name of required) expect(['electron', 'events', 'timers', 'url']).toContain(name);
      expect(built).not.toMatch(/^\s*(import|export)\s/m); // CommonJS
    },
  );

  it('open files and links only through the app: no shell use at all', () => {
    for (const path of ELECTRON_SOURCES) {
      expect(code(path), path).not.toMatch(/\bshell\b\s*[,}]|\bshell\./);
    }
  });
});
