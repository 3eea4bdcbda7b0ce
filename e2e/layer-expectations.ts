// What the image view must show for a fixture archive, and the checks web.spec.ts and
// electron.spec.ts share. Expected layers come from `strata inspect --json` (the CLI's stable
// JSON), checked first against the engine's own record of the image it built.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, type Page } from '@playwright/test';
import type { InspectResult } from '../src-main/api/model';
import { fixturePaths, readEngineRecord, type FixtureName } from './fixtures';
import { REPO_ROOT } from './fixtures/manifest';

const run = promisify(execFile);

export const STRATA_BIN = join(REPO_ROOT, 'bin', 'strata.js');

export interface ExpectedLayer {
  /** The command as the row shows it: `RUN make`, `COPY file:… in /app/`. */
  command: string;
  /** Bytes of the layer; the row shows them rounded (`205 kB`). */
  size: number;
}

export interface Fixture {
  archive: string;
  layers: ExpectedLayer[];
}

/** The fixture's archive and its layers as the UI must show them. */
export async function loadFixture(name: FixtureName): Promise<Fixture> {
  const files = fixturePaths().fixtures[name];
  const { stdout } = await run(process.execPath, [STRATA_BIN, 'inspect', files.archive, '--json'], {
    maxBuffer: 64 * 1024 * 1024,
  });
  const inspect = JSON.parse(stdout) as InspectResult;
  const engine = readEngineRecord(files.engine);
  expect(
    inspect.layers.map((layer) => layer.diffId),
    `strata inspect of ${name} lists the engine's layers`,
  ).toEqual(engine.inspect.RootFS.Layers);
  return {
    archive: files.archive,
    layers: inspect.layers.map((layer) => ({
      command: shownCommand(layer.command),
      size: layer.size,
    })),
  };
}

/**
 * How a legacy-builder history command reads in the UI (the fixtures are built that way):
 * `/bin/sh -c #(nop) COPY x` -> `COPY x`, `/bin/sh -c make` -> `RUN make`, '' -> a placeholder.
 */
export function shownCommand(raw: string): string {
  const text = raw.trim();
  if (text === '') return '(no command recorded)';
  const nop = /^\/bin\/sh -c #\(nop\)\s*/;
  if (nop.test(text)) return text.replace(nop, '');
  const shell = /^\/bin\/sh -c\s+/;
  if (shell.test(text)) return `RUN ${text.replace(shell, '')}`;
  return text;
}

const UNITS: Record<string, number> = { B: 1, kB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12 };

/** `205 kB` -> 205000; NaN when the text is not a size. */
export function parseShownSize(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(B|kB|MB|GB|TB)$/.exec(text.trim());
  return match?.[1] && match[2] ? Number(match[1]) * (UNITS[match[2]] ?? NaN) : NaN;
}

const squash = (text: string | null): string => (text ?? '').replace(/\s+/g, ' ').trim();

/** The image view is showing `fixture`: one row per layer, in order, with its command and size. */
export async function expectLayerRows(page: Page, fixture: Fixture): Promise<void> {
  await expect(page.getByTestId('image-header')).toBeVisible();
  const rows = page.getByTestId('layer-row');
  await expect(rows).toHaveCount(fixture.layers.length);
  const commands = await rows.getByTestId('layer-command').allTextContents();
  const sizes = await rows.getByTestId('layer-size').allTextContents();
  expect(commands.map(squash)).toEqual(fixture.layers.map((layer) => squash(layer.command)));
  expect(sizes).toHaveLength(fixture.layers.length);
  fixture.layers.forEach((layer, index) => {
    const shown = parseShownSize(sizes[index] ?? '');
    // Rounded to three significant digits at most: within 5 %, and 0 exactly.
    expect(
      Math.abs(shown - layer.size),
      `layer ${index} size "${sizes[index]}"`,
    ).toBeLessThanOrEqual(layer.size * 0.05);
  });
}

interface PageGlobals {
  __cspViolations?: string[];
  document: {
    addEventListener(
      type: 'securitypolicyviolation',
      listener: (event: { violatedDirective: string; blockedURI: string }) => void,
    ): void;
  };
}

/** Records Content-Security-Policy violations in the page from its first script on. */
export async function watchCspViolations(page: Page): Promise<() => Promise<string[]>> {
  // These functions run in the page; e2e is typed without the DOM, hence the local types.
  await page.addInitScript(() => {
    const page = globalThis as unknown as PageGlobals;
    const seen: string[] = [];
    page.__cspViolations = seen;
    page.document.addEventListener('securitypolicyviolation', (event) => {
      seen.push(`${event.violatedDirective} blocked ${event.blockedURI || 'inline'}`);
    });
  });
  return () => page.evaluate(() => (globalThis as unknown as PageGlobals).__cspViolations ?? []);
}

/** The secrets fixture's findings as [kind, path], highest severity first, then by layer. */
export const SECRETS_FINDINGS: [string, string][] = [
  ['private-key', '/root/.ssh/id_ed25519'],
  ['token', '/app/.npmrc'],
  ['token', '/app/config.js'],
  ['env-file', '/app/.env'],
  ['package-cache', '/root/.npm'],
  ['setuid', '/usr/bin/suid-helper'],
];
