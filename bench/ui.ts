// Figure (g): the browser mode, driven by Playwright in Debian's Chromium against `strata web`.
// Every interaction is timed inside the page (performance.mark/measure, from the input to the
// frame that shows its result). What the UI does not have yet is reported, not failed.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, findChromium } from '../e2e/fixtures/chromium';
import { median } from './measure';

export interface UiFigure {
  interaction: string;
  medianMs: number;
  runsMs: number[];
  detail: string;
}

export interface UiResult {
  figures: UiFigure[];
  notMeasured: string[];
}

/** The little of the DOM the in-page functions use (bench is typed without the DOM library). */
interface El {
  textContent: string | null;
  scrollTop: number;
  value: string;
  getAttribute(name: string): string | null;
  querySelector(selector: string): El | null;
  dispatchEvent(event: unknown): boolean;
}
interface Dom {
  document: {
    querySelector(selector: string): El | null;
    querySelectorAll(selector: string): Iterable<El> & { length: number };
  };
  requestAnimationFrame(callback: (time: number) => void): number;
  MouseEvent: new (type: string, init: object) => unknown;
  Event: new (type: string, init: object) => unknown;
}

interface Server {
  url: string;
  stop(): Promise<void>;
}

async function startWeb(cli: string, archive?: string): Promise<Server> {
  const child = spawn(
    process.execPath,
    [cli, 'web', '--port', '0', ...(archive ? [archive] : [])],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const url = await Promise.race([
    new Promise<string>((resolve) =>
      createInterface({ input: child.stdout }).once('line', resolve),
    ),
    exited.then((code) => {
      throw new Error(`strata web exited with ${code}: ${stderr}`);
    }),
  ]);
  return {
    url,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * Waits (in the page) until `selector` matches and that frame is drawn; returns ms since `mark`,
 * or since the navigation started when `mark` is empty.
 */
async function untilShown(page: Page, mark: string, selector: string, timeoutMs = 60_000) {
  return page.evaluate(
    async ([mark, selector, timeoutMs]) => {
      const g = globalThis as unknown as Dom;
      const deadline = performance.now() + timeoutMs;
      for (;;) {
        if (g.document.querySelector(selector)) break;
        if (performance.now() > deadline) throw new Error(`nothing matched ${selector}`);
        await new Promise<unknown>((r) => g.requestAnimationFrame(r));
      }
      await new Promise<unknown>((r) => g.requestAnimationFrame(() => g.requestAnimationFrame(r)));
      return mark ? performance.measure(`${mark}-done`, mark).duration : performance.now();
    },
    [mark, selector, timeoutMs] as const,
  );
}

const WEB_FIRST_SCREEN = '`strata web ARCHIVE` started: to its first screen';
const WEB_LAYER_LIST = '`strata web ARCHIVE` started: to the layer list';
const CHOSEN_STEPS =
  'archive chosen in the page (uploaded): to its build steps, before any layer is read';
const CHOSEN_LAYERS = 'archive chosen in the page (uploaded): to the layer list';
const PATH_STEPS = 'archive path typed in the page (read in place): to its build steps';
const PATH_LAYERS = 'archive path typed in the page (read in place): to the layer list';

/**
 * The archive opened from Home as a person opens one in the browser mode: chosen with the file
 * chooser (uploaded, then opened) or typed as a path on the server's machine (opened in place).
 * ms from the choice (or the Enter key) to the first frame with the image's build steps (null if
 * the layer list came first) and to the first with the layer list.
 */
async function openFromHome(
  browser: Browser,
  cli: string,
  archive: string,
  how: 'chosen' | 'path',
): Promise<{ steps: number | null; layers: number }> {
  const server = await startWeb(cli);
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  // Playwright intercepts file choosers once a listener is on, which it sets up asynchronously:
  // one added with the click only may come after the chooser (then no event, once in a few runs).
  if (how === 'chosen') page.on('filechooser', () => {});
  try {
    await page.goto(server.url);
    await page.getByTestId('drop-zone').waitFor();
    if (how === 'chosen') {
      const chooser = page.waitForEvent('filechooser');
      await page.evaluate(() => performance.mark('choose'));
      await page.getByTestId('open-archive').click();
      await (await chooser).setFiles(archive);
    } else {
      const field = page.getByTestId('archive-path');
      await field.fill(archive);
      await page.evaluate(() => performance.mark('choose'));
      await field.press('Enter');
    }
    return await page.evaluate(async () => {
      const g = globalThis as unknown as Dom;
      const frame = () => new Promise<unknown>((r) => g.requestAnimationFrame(r));
      const since = () => performance.measure('chosen', 'choose').duration;
      const deadline = performance.now() + 300_000;
      let steps: number | null = null;
      for (;;) {
        if (performance.now() > deadline) throw new Error('no layer list in 300 s');
        const step = g.document.querySelector('[data-testid="archive-open-step"]');
        if (step && steps === null) {
          await frame();
          steps = since();
        }
        if (g.document.querySelector('[data-testid="layer-row"]')) break;
        await frame();
      }
      await frame();
      return { steps, layers: since() };
    });
  } finally {
    await page.close();
    await server.stop();
  }
}

export const SELECT_SETTLED =
  'select the layer that changed the most files (first click on it, page settled)';
export const SELECT_EARLY =
  'the same click right as the layer list is drawn (the page still drawing its load)';

/**
 * Waits until the page draws five frames in a row at the display's rate (what it loaded is
 * drawn; a person reading the layer list takes longer), or three seconds.
 */
async function untilSettled(page: Page): Promise<void> {
  await page.evaluate(async () => {
    const g = globalThis as unknown as Dom;
    const deadline = performance.now() + 3000;
    let quick = 0;
    let last = performance.now();
    while (quick < 5 && performance.now() < deadline) {
      await new Promise<unknown>((r) => g.requestAnimationFrame(r));
      const now = performance.now();
      quick = now - last < 20 ? quick + 1 : 0;
      last = now;
    }
  });
}

/**
 * Clicks the layer row with the most changes (not selected already) and waits until its file
 * tree's rows are drawn: the ms from the click, or null without such rows.
 */
async function selectMostChanged(page: Page): Promise<{ ms: number; changes: number } | null> {
  return page.evaluate(async () => {
    const g = globalThis as unknown as Dom;
    const count = (row: El, kind: string): number =>
      Number(
        (row.querySelector(`[data-testid="layer-${kind}"]`)?.textContent ?? '').replace(
          /\D/g,
          '',
        ) || 0,
      );
    let best: El | null = null;
    let most = -1;
    for (const row of g.document.querySelectorAll('[data-testid="layer-row"]')) {
      const changes = count(row, 'added') + count(row, 'modified') + count(row, 'removed');
      if (changes > most && row.getAttribute('aria-selected') !== 'true') {
        best = row;
        most = changes;
      }
    }
    if (!best) return null;
    performance.mark('select');
    best.dispatchEvent(new g.MouseEvent('click', { bubbles: true }));
    const tree = () => g.document.querySelector('[data-testid="file-tree"]');
    for (;;) {
      await new Promise<unknown>((r) => g.requestAnimationFrame(r));
      const t = tree();
      if (
        best.getAttribute('aria-selected') === 'true' &&
        t?.getAttribute('aria-busy') === 'false' &&
        t.querySelector('[data-testid="tree-row"]') &&
        !t.querySelector('.placeholder')
      )
        break;
    }
    await new Promise<unknown>((r) => g.requestAnimationFrame(() => g.requestAnimationFrame(r)));
    return { ms: performance.measure('select-done', 'select').duration, changes: most };
  });
}

/** The rows a collapsed directory shows when opened: its first child row. */
const childRow = (dir: string) => `[data-testid="tree-row"][data-path^="${cssEscape(dir + '/')}"]`;
const rowOf = (path: string) => `[data-testid="tree-row"][data-path="${cssEscape(path)}"]`;
const cssEscape = (s: string) => s.replace(/["\\]/g, '\\$&');

/**
 * Runs the interactions `runs` times, each on a fresh page load of the same server, with the
 * archive opened at start. `bigDir` is a directory of `bigDirChildren` children (the directories
 * above it are opened first, untimed).
 */
export async function measureUi(
  cli: string,
  archive: string,
  runs: number,
  log: (line: string) => void,
  bigDir = '/app/src/static',
  bigDirChildren = 10_000,
  filterText = 'index.js',
): Promise<UiResult> {
  const times: Record<string, number[]> = {};
  const details: Record<string, string> = {};
  const notMeasured = new Set<string>();
  /** Each run's scroll, for a detail that tells every run (not the last one's alone). */
  const scrolls: { dropped: number; worst: number; longTasks: number }[] = [];
  const record = (name: string, ms: number, detail = ''): void => {
    (times[name] ??= []).push(ms);
    if (detail) details[name] = detail;
  };
  const browser = await chromium.launch({
    executablePath: findChromium(),
    args: [...CHROMIUM_ARGS],
  });
  try {
    for (let run = 0; run < runs + 1; run++) {
      const warmup = run === 0;
      const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
      // `strata web ARCHIVE`, from its start: it serves once the archive's manifest and config are
      // read, and the page shows the image opening, then its layer list.
      const started = Date.now();
      const server = await startWeb(cli, archive);
      try {
        await page.goto(server.url, { waitUntil: 'commit' });
        const first = '[data-testid="archive-opening"], [data-testid="layer-row"]';
        await untilShown(page, '', first);
        const firstScreen = Date.now() - started;
        await untilShown(page, '', '[data-testid="layer-row"]');
        const open = Date.now() - started;
        const rows = await page.locator('[data-testid="layer-row"]').count();
        if (!warmup) {
          record(WEB_FIRST_SCREEN, firstScreen, 'its build steps, or the layer list if first');
          record(WEB_LAYER_LIST, open, `${rows} layer rows`);
        }
        // Again with the image already open in the server: the UI's own cost.
        await page.reload({ waitUntil: 'commit' });
        const again = await untilShown(page, '', '[data-testid="layer-row"]');
        if (!warmup) record('open to layer list (image already open in the server)', again);

        // The first click on the layer that changed the most files, right as the layer list is
        // drawn (the page still drawing what it loaded), then on a page let settle.
        const early = await selectMostChanged(page);
        await page.reload({ waitUntil: 'commit' });
        await untilShown(page, '', '[data-testid="layer-row"]');
        await untilSettled(page);
        const settled = await selectMostChanged(page);
        if (!early || !settled)
          notMeasured.add('selecting a layer (no layer rows with change counts)');
        else if (!warmup) {
          const detail = `${settled.changes.toLocaleString('en-US')} changes`;
          record(SELECT_SETTLED, settled.ms, detail);
          record(SELECT_EARLY, early.ms, detail);
        }

        const tree = page.locator('[data-testid="file-tree"]');
        if (!(await tree.count().catch(() => 0))) {
          notMeasured.add('the file tree (no [data-testid=file-tree] in this build)');
          continue;
        }
        // The whole final file system: the last layer, "Whole file system".
        await page.locator('[data-testid="layer-row"]').last().click();
        const whole = page.getByText('Whole file system', { exact: true });
        if (await whole.count()) await whole.click();
        else notMeasured.add('"Whole file system" mode (no such control)');
        // The whole file system shows /usr, which the last layer's changes alone do not.
        await page.locator(rowOf('/usr')).waitFor({ timeout: 30_000 });

        // Expand the parents of the big directory, untimed.
        const parts = bigDir.split('/').filter(Boolean);
        let missing = false;
        for (let i = 1; i < parts.length; i++) {
          const dir = '/' + parts.slice(0, i).join('/');
          const row = page.locator(rowOf(dir));
          if (
            !(await row.waitFor({ timeout: 10_000 }).then(
              () => true,
              () => false,
            ))
          ) {
            missing = true;
            break;
          }
          await row.scrollIntoViewIfNeeded();
          if ((await row.getAttribute('aria-expanded')) !== 'true')
            await row.locator('[data-toggle]').click();
          await page.locator(childRow(dir)).first().waitFor({ timeout: 30_000 });
        }
        const bigRow = page.locator(rowOf(bigDir));
        const found = await bigRow.waitFor({ timeout: 10_000 }).then(
          () => true,
          () => false,
        );
        if (missing || !found) {
          notMeasured.add(`expanding ${bigDir} (not found in the tree)`);
        } else {
          await bigRow.scrollIntoViewIfNeeded();
          const expandMs = await page.evaluate(
            async ([rowSel, childSel]) => {
              const g = globalThis as unknown as Dom;
              const toggle = g.document.querySelector(`${rowSel} [data-toggle]`) as El;
              performance.mark('expand');
              toggle.dispatchEvent(new g.MouseEvent('click', { bubbles: true }));
              for (;;) {
                if (g.document.querySelector(childSel)) break;
                await new Promise<unknown>((r) => g.requestAnimationFrame(r));
              }
              await new Promise<unknown>((r) =>
                g.requestAnimationFrame(() => g.requestAnimationFrame(r)),
              );
              return performance.measure('expand-done', 'expand').duration;
            },
            [rowOf(bigDir), childRow(bigDir)] as const,
          );
          if (!warmup)
            record(`expand a directory (${bigDir})`, expandMs, `${bigDirChildren} children`);

          // Scroll 1,000 rows inside the expanded directory: 10 rows a frame for 100 frames.
          const scroll = await page.evaluate(async () => {
            const g = globalThis as unknown as Dom;
            const list = g.document.querySelector('[data-testid="file-tree"]') as El;
            const frames: number[] = [];
            let longTasks = 0;
            const observer = new PerformanceObserver((l) => (longTasks += l.getEntries().length));
            try {
              observer.observe({ type: 'longtask' as 'mark' });
            } catch {
              // not supported: counted as 0
            }
            performance.mark('scroll');
            let last = performance.now();
            for (let i = 0; i < 100; i++) {
              list.scrollTop += 26 * 10;
              await new Promise<unknown>((r) => g.requestAnimationFrame(r));
              const now = performance.now();
              frames.push(now - last);
              last = now;
            }
            // Until the rows in view are filled (no placeholders left).
            while (list.querySelector('.placeholder'))
              await new Promise<unknown>((r) => g.requestAnimationFrame(r));
            const ms = performance.measure('scroll-done', 'scroll').duration;
            observer.disconnect();
            const dropped = frames.filter((f) => f > 1.5 * (1000 / 60)).length;
            return { ms, dropped, longTasks, worst: Math.max(...frames) };
          });
          if (!warmup) {
            scrolls.push(scroll);
            const worst = Math.max(...scrolls.map((s) => s.worst));
            const longTasks = scrolls.reduce((sum, s) => sum + s.longTasks, 0);
            record(
              'scroll 1,000 rows (100 frames of 10 rows)',
              scroll.ms,
              `frames over 25 ms by run: ${scrolls.map((s) => s.dropped).join(', ')}; worst ${worst.toFixed(0)} ms; ${longTasks} long tasks`,
            );
            record('scroll: frames over 25 ms, of 100 (a count, not ms)', scroll.dropped);
          }
        }

        // Filter the whole final tree.
        const input = page.getByLabel('Filter files');
        if (!(await input.count())) {
          notMeasured.add('filtering (no "Filter files" input)');
        } else {
          const filterMs = await page.evaluate(async (text) => {
            const g = globalThis as unknown as Dom;
            const input = g.document.querySelector('input[aria-label="Filter files"]') as El;
            const matches = g.document.querySelector('[data-testid="filter-matches"]');
            const before = matches?.textContent ?? '';
            performance.mark('filter');
            input.value = text;
            input.dispatchEvent(new g.Event('input', { bubbles: true }));
            const deadline = performance.now() + 60_000;
            for (;;) {
              const now = g.document.querySelector('[data-testid="filter-matches"]');
              const settled =
                g.document.querySelector('[data-testid="tree-empty"]') ||
                (g.document.querySelector('[data-testid="tree-row"]') &&
                  !g.document.querySelector('[data-testid="file-tree"] .placeholder'));
              const shown = now && now.textContent !== before && settled;
              if (shown) break;
              if (performance.now() > deadline) throw new Error('the filter never applied');
              await new Promise<unknown>((r) => g.requestAnimationFrame(r));
            }
            await new Promise<unknown>((r) =>
              g.requestAnimationFrame(() => g.requestAnimationFrame(r)),
            );
            return {
              ms: performance.measure('filter-done', 'filter').duration,
              matches:
                g.document.querySelector('[data-testid="filter-matches"]')?.textContent ?? '',
            };
          }, filterText);
          if (!warmup)
            record(
              `filter the whole final tree ("${filterText}" at once, the UI's input pause included)`,
              filterMs.ms,
              filterMs.matches.replace(/\s+/g, ' ').trim(),
            );

          // Typed a key every 100 ms from an empty box: from the last key to its result (the tree
          // names the filter text its rows answer). Each key before it may have asked the
          // service, which the last one may wait for. A build without that attribute never
          // shows it: the figure is then not measured.
          const typedMs = await page.evaluate(
            async ([text, want]) => {
              const g = globalThis as unknown as Dom;
              const input = g.document.querySelector('input[aria-label="Filter files"]') as El;
              const frame = () => new Promise<unknown>((r) => g.requestAnimationFrame(r));
              const matchesText = () =>
                g.document.querySelector('[data-testid="filter-matches"]')?.textContent ?? '';
              if (!g.document.querySelector('[data-testid="file-tree"][data-filter-text]'))
                return null;
              input.value = '';
              input.dispatchEvent(new g.Event('input', { bubbles: true }));
              const deadline = performance.now() + 60_000;
              while (matchesText()) {
                if (performance.now() > deadline) throw new Error('the filter never cleared');
                await frame();
              }
              for (let i = 1; i <= text.length; i++) {
                if (i === text.length) performance.mark('typed');
                input.value = text.slice(0, i);
                input.dispatchEvent(new g.Event('input', { bubbles: true }));
                if (i < text.length) await new Promise((r) => setTimeout(r, 100));
              }
              // The tree says which filter text its rows answer.
              const shown = `[data-testid="file-tree"][data-filter-text="${text.replace(/["\\]/g, '\\$&')}"]`;
              for (;;) {
                const settled =
                  g.document.querySelector('[data-testid="tree-row"]') &&
                  !g.document.querySelector('[data-testid="file-tree"] .placeholder');
                if (g.document.querySelector(shown) && matchesText() === want && settled) break;
                if (performance.now() > deadline) throw new Error('the typed filter never applied');
                await frame();
              }
              await new Promise<unknown>((r) =>
                g.requestAnimationFrame(() => g.requestAnimationFrame(r)),
              );
              return performance.measure('typed-done', 'typed').duration;
            },
            [filterText, filterMs.matches] as const,
          );
          if (typedMs === null)
            notMeasured.add('filter typed a key at a time (the tree names no filter text)');
          else if (!warmup)
            record(
              `filter, typed a key every 100 ms ("${filterText}"): last key to its result`,
              typedMs,
              filterMs.matches.replace(/\s+/g, ' ').trim(),
            );
        }
      } catch (err) {
        notMeasured.add(`run ${run}: ${(err as Error).message.split('\n')[0]}`);
      } finally {
        await page.close();
        await server.stop();
      }
      for (const [how, stepsRow, layersRow] of [
        ['chosen', CHOSEN_STEPS, CHOSEN_LAYERS],
        ['path', PATH_STEPS, PATH_LAYERS],
      ] as const) {
        const opened = await openFromHome(browser, cli, archive, how).catch((err: Error) => {
          notMeasured.add(`run ${run}, ${layersRow}: ${err.message.split('\n')[0]}`);
          return null;
        });
        if (!opened || warmup) continue;
        if (opened.steps === null) notMeasured.add(`${stepsRow} (no build steps shown)`);
        else record(stepsRow, opened.steps, 'its manifest and config read');
        record(layersRow, opened.layers);
      }
      log(`  ui run ${run}${warmup ? ' (warm-up)' : ''} done`);
    }
  } finally {
    await browser.close();
  }
  return {
    figures: Object.entries(times).map(([interaction, ms]) => ({
      interaction,
      medianMs: Number(median(ms).toFixed(1)),
      runsMs: ms.map((x) => Number(x.toFixed(1))),
      detail: details[interaction] ?? '',
    })),
    notMeasured: [...notMeasured],
  };
}
