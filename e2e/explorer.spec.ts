// The explorer end to end: `strata web` over the real core, Debian's Chromium, fixture images
// built by the engine (basic) and a synthetic one with 100,000 files (explorer-fixture.ts).
// Everything is found by role and label, as a person (or a screen reader) finds it.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { existsSync } from 'node:fs';
import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import { packTar } from '../src-main/core/tar/pack-tar';
import { withLayers } from '../src-main/core/testing/malformed-cases';
import { manyEntriesArchive } from '../src-main/core/testing/many-entries';
import { EXPLORER_DIR, explorerFixture } from './explorer-fixture';
import { fixturePaths } from './fixtures';
import { STRATA_BIN, watchCspViolations } from './layer-expectations';
import { startStrataWeb, type StrataWeb } from './strata-web';

const run = promisify(execFile);

let basicArchive: string;
let bigArchive: string;
let server: StrataWeb | undefined;
let cspViolations: () => Promise<string[]>;

test.beforeAll(async () => {
  test.setTimeout(180_000);
  basicArchive = fixturePaths().fixtures.basic.archive;
  bigArchive = await explorerFixture();
});

test.beforeEach(async ({ page }) => {
  cspViolations = await watchCspViolations(page);
  await page.setViewportSize({ width: 1280, height: 800 });
});

test.afterEach(async () => {
  expect(await cspViolations(), 'Content-Security-Policy violations').toEqual([]);
  await server?.stop();
  server = undefined;
});

/** Opens `archive` through `strata web` and waits for its file tree. */
async function openImage(page: Page, archive: string): Promise<void> {
  server = await startStrataWeb([archive]);
  await page.goto(server.url);
  await expect(page.getByRole('tree', { name: 'Files' })).toBeVisible({ timeout: 90_000 });
}

const tree = (page: Page) => page.getByRole('tree', { name: 'Files' });
const item = (page: Page, name: string) =>
  tree(page).getByRole('treeitem', { name: new RegExp(`^${escape(name)}(,| →|$)`) });
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const layerRow = (page: Page, index: number) =>
  page
    .getByRole('listbox', { name: /Layers/ })
    .getByRole('option')
    .and(page.locator(`[data-layer-index="${index}"]`));
const inspector = (page: Page) => page.getByRole('complementary', { name: 'Inspector' });

/** Waits until the tree shows the view asked for last (a new layer, mode, sort or filter). */
async function treeReady(page: Page): Promise<void> {
  await expect(tree(page)).toHaveAttribute('aria-busy', 'false', { timeout: 60_000 });
}

async function selectLayer(page: Page, index: number): Promise<void> {
  await layerRow(page, index).click();
  await expect(layerRow(page, index)).toHaveAttribute('aria-selected', 'true');
  await treeReady(page);
}

async function showWholeFileSystem(page: Page): Promise<void> {
  await page.getByRole('radio', { name: 'Whole file system' }).check();
  await expect(page.getByRole('radio', { name: 'Whole file system' })).toBeChecked();
  await treeReady(page);
}

async function expandAll(page: Page): Promise<void> {
  await treeReady(page);
  await page.getByRole('button', { name: 'Expand all' }).click();
  await treeReady(page);
}

/** The 100,000-file image, its first layer's changes, every directory open. */
async function openBigTreeExpanded(page: Page): Promise<void> {
  await openImage(page, bigArchive);
  await selectLayer(page, 0);
  await expandAll(page);
}

/** What the page functions below use of the DOM (e2e is typed without it). */
interface PageWindow {
  document: {
    createElement(tag: string): { style: { color: string }; remove(): void };
    body: { append(element: unknown): void };
  };
  getComputedStyle(element: unknown): { color: string };
}

/** The colour a CSS custom property resolves to on the page, as getComputedStyle writes it. */
async function tokenColour(page: Page, token: string): Promise<string> {
  return page.evaluate((name) => {
    const win = globalThis as unknown as PageWindow;
    const probe = win.document.createElement('span');
    probe.style.color = `var(${name})`;
    win.document.body.append(probe);
    const colour = win.getComputedStyle(probe).color;
    probe.remove();
    return colour;
  }, token);
}

async function nameColour(row: Locator): Promise<string> {
  return row
    .getByTestId('tree-name')
    .evaluate((el) => (globalThis as unknown as PageWindow).getComputedStyle(el).color);
}

async function selectPath(page: Page, path: string): Promise<void> {
  const names = path.split('/').filter(Boolean);
  for (const [i, name] of names.entries()) {
    const row = item(page, name).first();
    if (i < names.length - 1) {
      if ((await row.getAttribute('aria-expanded')) !== 'true') {
        await row.click();
        await page.keyboard.press('ArrowRight');
        await expect(row).toHaveAttribute('aria-expanded', 'true');
        await treeReady(page);
      }
    } else {
      await row.click();
      await expect(row).toHaveAttribute('aria-selected', 'true');
    }
  }
}

test('a layer drives the tree: its changes in their colours, with its counts', async ({ page }) => {
  await openImage(page, basicArchive);
  const legend = page.getByRole('list', { name: /Change colours/ });

  // Layer 3 (COPY big.bin) adds /app/data and the file.
  await selectLayer(page, 3);
  await expect(legend.getByRole('listitem').filter({ hasText: 'Added' })).toContainText('2');
  await expandAll(page);
  await expect(item(page, 'big.bin')).toBeVisible();
  await expect(tree(page).getByRole('treeitem', { name: /, added$/ })).toHaveCount(2);
  expect(await nameColour(item(page, 'big.bin'))).toBe(await tokenColour(page, '--added'));
  expect(await nameColour(item(page, 'app'))).toBe(await tokenColour(page, '--text'));

  // Layer 5 removes nine paths; layer 6 modifies one.
  await selectLayer(page, 5);
  await expect(legend.getByRole('listitem').filter({ hasText: 'Removed' })).toContainText('9');
  await expandAll(page);
  await expect(tree(page).getByRole('treeitem', { name: /, removed$/ })).toHaveCount(9);
  expect(await nameColour(item(page, 'big.bin'))).toBe(await tokenColour(page, '--removed'));

  await selectLayer(page, 6);
  await expandAll(page);
  await expect(item(page, 'app.conf')).toHaveAccessibleName('app.conf, modified');
  expect(await nameColour(item(page, 'app.conf'))).toBe(await tokenColour(page, '--modified'));
  await expect(legend.getByRole('listitem').filter({ hasText: 'Modified' })).toContainText('1');
});

test('switches modes, filters by text, glob, regex, change and size, and sorts', async ({
  page,
}) => {
  await openImage(page, basicArchive);
  await selectLayer(page, 7);
  // Layer 7's changes: only /srv and what is under it, open since /srv is alone at the root.
  await expect(item(page, 'srv')).toHaveAttribute('aria-expanded', 'true');
  await expect(tree(page).getByRole('treeitem', { level: 1 })).toHaveCount(1);
  await expect(tree(page).getByRole('treeitem', { level: 2 }).first()).toBeVisible();

  await showWholeFileSystem(page);
  await expect(item(page, 'bin')).toBeVisible();
  await expect(item(page, 'app')).toHaveAccessibleName('app');

  // Sort: size first (bin holds busybox), then by name.
  const names = () => tree(page).getByTestId('tree-name').allTextContents();
  await expect.poll(async () => (await names())[0]).toBe('bin');
  await page.getByRole('combobox', { name: 'Sort by' }).selectOption('name');
  await expect.poll(async () => (await names()).slice(0, 3)).toEqual(['app', 'bin', 'etc']);

  const filter = page.getByRole('searchbox', { name: 'Filter files' });
  await filter.fill('listing');
  await expect(page.getByTestId('filter-matches')).toHaveText('1 match');
  await expect(item(page, 'listing.txt')).toBeVisible();
  await expect(tree(page).getByRole('treeitem')).toHaveCount(2);

  await page.getByRole('combobox', { name: 'Filter kind' }).selectOption('glob');
  await filter.fill('*.conf');
  await expect(page.getByTestId('filter-matches')).toHaveText('1 match');
  await expect(item(page, 'app.conf')).toBeVisible();

  await page.getByRole('combobox', { name: 'Filter kind' }).selectOption('regex');
  await filter.fill('README(\\.md)?$');
  await expect(page.getByTestId('filter-matches')).toHaveText('5 matches');
  await filter.fill('(');
  await expect(page.getByRole('status').filter({ hasText: 'regular expression' })).toBeVisible();
  await expect(filter).toHaveAttribute('aria-invalid', 'true');

  await filter.fill('');
  await page.getByRole('button', { name: 'Added' }).click();
  await expect(page.getByRole('button', { name: 'Added' })).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByTestId('filter-matches')).toHaveText('11 matches');
  await page.getByRole('button', { name: 'Added' }).click();

  await page.getByRole('combobox', { name: 'Minimum size' }).selectOption({ label: '≥ 100 kB' });
  await expect(page.getByTestId('filter-matches')).toHaveText('1 match');
  await expect(item(page, 'busybox')).toBeVisible();
});

test('a key typed in the filter asks the service in the task it came in', async ({ page }) => {
  await openImage(page, basicArchive);
  await selectLayer(page, 7);
  await showWholeFileSystem(page);
  // Asked before the key's own frame is drawn: the calls sent by the time the input event's
  // handlers return (a timer, even of 0 ms, would send it after that frame).
  const sent = await page.getByRole('searchbox', { name: 'Filter files' }).evaluate((input) => {
    const g = globalThis as unknown as {
      WebSocket: { prototype: { send(data: unknown): void } };
      Event: new (type: string, init: object) => unknown;
    };
    const calls: string[] = [];
    const send = g.WebSocket.prototype.send;
    g.WebSocket.prototype.send = function (data: unknown) {
      calls.push(String(data));
      send.call(this, data);
    };
    const field = input as unknown as { value: string; dispatchEvent(event: unknown): boolean };
    field.value = 'listing';
    field.dispatchEvent(new g.Event('input', { bubbles: true }));
    g.WebSocket.prototype.send = send;
    return calls;
  });
  expect(
    sent.filter((call) => call.includes('"view:open"') && call.includes('listing')),
  ).toHaveLength(1);
  await expect(page.getByTestId('filter-matches')).toHaveText('1 match');
});

test('shows a text file with colour, a binary in hex, and an image', async ({ page }) => {
  test.setTimeout(180_000);
  await openImage(page, basicArchive);
  await selectLayer(page, 7);
  await showWholeFileSystem(page);

  await selectPath(page, '/app/config/app.conf');
  const contents = inspector(page).getByRole('list', { name: 'Contents of /app/config/app.conf' });
  await expect(contents.getByRole('listitem')).toHaveText(['1mode = production', '2workers = 4']);
  await expect(inspector(page).getByTestId('text-language')).toHaveText('INI / conf');
  await expect(inspector(page).getByTestId('inspector-mode')).toHaveText('-rw-r--r--');

  await selectPath(page, '/bin/busybox');
  const hex = inspector(page).getByRole('list', { name: 'Bytes of /bin/busybox in hex' });
  await expect(hex.getByRole('listitem').first()).toContainText('00000000');
  await expect(hex.getByRole('listitem').first()).toContainText('7f 45 4c 46');
  await expect(inspector(page).getByTestId('contents-shown')).toContainText('of 2.0 MB');
  await inspector(page)
    .getByRole('button', { name: /Load more/ })
    .click();
  await expect(inspector(page).getByTestId('contents-shown')).toContainText('131 kB of 2.0 MB');

  await server!.stop();
  await openImage(page, bigArchive);
  await selectLayer(page, 2);
  await showWholeFileSystem(page);
  await selectPath(page, '/app/logo.png');
  const img = inspector(page).getByRole('img', { name: 'Preview of logo.png' });
  await expect(img).toBeVisible();
  await expect
    .poll(() => img.evaluate((el) => (el as unknown as { naturalWidth: number }).naturalWidth))
    .toBe(32);
  expect(await img.getAttribute('src')).toMatch(/^blob:/);
  await expect(inspector(page)).toContainText('PNG image · 32 × 32 px');

  // A long text file comes a page at a time.
  await selectPath(page, '/app/big.log');
  await expect(inspector(page).getByTestId('contents-shown')).toContainText('65.5 kB of 925 kB');
  await inspector(page)
    .getByRole('button', { name: /Load more/ })
    .click();
  await expect(inspector(page).getByTestId('contents-shown')).toContainText('328 kB of 925 kB');
});

test('follows a symlink to its target', async ({ page }) => {
  await openImage(page, basicArchive);
  await selectLayer(page, 4);
  await expandAll(page);
  await selectPath(page, '/opt/tool/lib/libtool.so');
  await expect(inspector(page).getByTestId('inspector-link-target')).toHaveText('libtool.so.1');
  await inspector(page).getByRole('button', { name: 'Go to /opt/tool/lib/libtool.so.1' }).click();
  await expect(item(page, 'libtool.so.1')).toHaveAttribute('aria-selected', 'true');
  await expect(inspector(page).getByTestId('inspector-path')).toHaveText(
    '/opt/tool/lib/libtool.so.1',
  );
  await expect(page.getByRole('navigation', { name: 'Path of the selected file' })).toContainText(
    'libtool.so.1',
  );
});

test('saves a file: the download holds the bytes strata cat gives', async ({ page }) => {
  await openImage(page, basicArchive);
  await selectLayer(page, 7);
  await showWholeFileSystem(page);
  await selectPath(page, '/bin/busybox');
  const download = page.waitForEvent('download');
  await inspector(page).getByRole('link', { name: 'Save as…' }).click();
  const saved = await (await download).path();
  expect((await download).suggestedFilename()).toBe('busybox');
  const { stdout } = await run(
    process.execPath,
    [STRATA_BIN, 'cat', basicArchive, '/bin/busybox'],
    {
      encoding: 'buffer',
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  const bytes = await readFile(saved);
  expect(bytes.length).toBe(stdout.length);
  expect(bytes.equals(stdout)).toBe(true);
});

test('lists the wasted bytes, and jumps to a path at the layer that stored it', async ({
  page,
}) => {
  await openImage(page, basicArchive);
  await page.getByRole('tab', { name: /Waste/ }).click();
  const list = page.getByRole('list', { name: 'Paths that waste space' });
  const first = list.getByRole('listitem').first();
  await expect(first).toContainText('/app/data/big.bin');
  await expect(first).toContainText('Deleted');
  await expect(first).toContainText('layer 3');
  await expect(first).toContainText('205 kB');
  await expect(page.getByTestId('waste-panel')).toContainText('Efficiency is visible ÷ stored');
  await first.getByRole('button').click();
  await expect(page.getByRole('tab', { name: 'Files' })).toHaveAttribute('aria-selected', 'true');
  await expect(layerRow(page, 3)).toHaveAttribute('aria-selected', 'true');
  await expect(item(page, 'big.bin')).toHaveAttribute('aria-selected', 'true');
  await expect(tree(page)).toBeFocused();
});

test('the tree works from the keyboard alone', async ({ page }) => {
  await openImage(page, basicArchive);
  await selectLayer(page, 7);
  await showWholeFileSystem(page);
  await page.getByRole('combobox', { name: 'Sort by' }).selectOption('name');
  await treeReady(page);
  await expect(item(page, 'app')).toBeVisible();

  // `/` goes to the filter; Enter from the filter goes to the tree.
  await tree(page).focus();
  await page.keyboard.press('/');
  await expect(page.getByRole('searchbox', { name: 'Filter files' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(tree(page)).toBeFocused();

  await page.keyboard.press('Home');
  await expect(item(page, 'app')).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('ArrowRight');
  await expect(item(page, 'app')).toHaveAttribute('aria-expanded', 'true');
  await page.keyboard.press('ArrowDown');
  await expect(item(page, 'README.md')).toHaveAttribute('aria-selected', 'true');
  await expect(item(page, 'README.md')).toHaveAttribute('aria-level', '2');
  await page.keyboard.press('ArrowDown');
  await expect(item(page, 'config')).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('Enter');
  await expect(item(page, 'config')).toHaveAttribute('aria-expanded', 'true');
  await page.keyboard.press('ArrowDown');
  await expect(item(page, 'app.conf')).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('Space');
  await expect(inspector(page).getByTestId('inspector-path')).toHaveText('/app/config/app.conf');
  await page.keyboard.press('ArrowLeft');
  await expect(item(page, 'config')).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('ArrowLeft');
  await expect(item(page, 'config')).toHaveAttribute('aria-expanded', 'false');
  await page.keyboard.press('ArrowLeft');
  await expect(item(page, 'app')).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('End');
  await expect(tree(page).getByRole('treeitem', { selected: true })).toHaveAccessibleName('usr');
  // Tab leaves the tree for the inspector.
  await page.keyboard.press('Tab');
  await expect(tree(page)).not.toBeFocused();
  await expect(inspector(page).getByRole('tab', { selected: true })).toBeFocused();
});

test('the layer list scrolls to the layer the keyboard selects, and only the list', async ({
  page,
}) => {
  const layers = await Promise.all(
    Array.from({ length: 30 }, (_, i) => packTar([{ name: `step${i}.txt`, body: `${i}` }])),
  );
  await openImage(page, await withLayers(layers));
  await layerRow(page, 0).click();
  await expect(layerRow(page, 29)).not.toBeInViewport();
  await page.keyboard.press('End');
  await expect(layerRow(page, 29)).toHaveAttribute('aria-selected', 'true');
  await expect(layerRow(page, 29)).toBeInViewport();
  await expect(layerRow(page, 0)).not.toBeInViewport();
  await page.keyboard.press('Home');
  await expect(layerRow(page, 0)).toBeInViewport();
  const pageScroll = (el: unknown) => (el as { scrollTop: number }).scrollTop;
  expect(await page.locator('html').evaluate(pageScroll)).toBe(0);
});

test('100,000 files: scrolls, expands everything and filters', async ({ page }) => {
  test.setTimeout(180_000);
  await openImage(page, bigArchive);
  await selectLayer(page, 0);
  await expect(page.getByRole('list', { name: /Change colours/ })).toContainText('101,101');
  await expandAll(page);
  const rows = page.getByTestId('file-tree').getByRole('treeitem');
  // Only what is in view is in the DOM.
  await expect(item(page, 'f000.txt').first()).toBeVisible();
  expect(await rows.count()).toBeLessThan(200);
  await expect(page.getByText(/^101,101 rows$/)).toBeVisible();

  // Scroll far down with the wheel: the rows there load.
  await tree(page).hover();
  for (let i = 0; i < 5; i++) await page.mouse.wheel(0, 400_000);
  await expect(rows.first()).toBeVisible();
  await expect
    .poll(async () => Number((await rows.first().getAttribute('data-index')) ?? 0))
    .toBeGreaterThan(10_000);

  // End goes to the last row, wherever it is.
  await tree(page).focus();
  await page.keyboard.press('End');
  await expect(tree(page).getByRole('treeitem', { selected: true })).toBeVisible();
  await expect(tree(page).getByRole('treeitem', { selected: true })).toHaveAttribute(
    'data-index',
    '101100',
  );

  const filter = page.getByRole('searchbox', { name: 'Filter files' });
  await filter.fill('d042/s7/f05');
  await expect(page.getByTestId('filter-matches')).toHaveText('10 matches');
  await expect(item(page, 'f059.txt')).toBeVisible();
  await filter.fill('f0999');
  await expect(page.getByTestId('filter-matches')).toHaveText('0 matches');
  await expect(page.getByText('Nothing matches the filter')).toBeVisible();
});

test('a file written over a directory opens to show what the directory held, removed', async ({
  page,
}) => {
  const base = await packTar([
    { name: 'x/', type: 'directory' },
    { name: 'x/y', body: 'y' },
    { name: 'x/z', body: 'z' },
  ]);
  const over = await packTar([{ name: 'x', body: 'a file now' }]);
  await openImage(page, await withLayers([base, over]));
  await selectLayer(page, 1);
  const x = tree(page).locator('[data-testid="tree-row"][data-path="/x"]');
  await expect(x).toHaveCount(1);
  await expect(x).toHaveAttribute('data-change', 'modified');
  await expect(x).toHaveAttribute('aria-expanded', 'false');
  await x.locator('[data-toggle]').click();
  await expect(x).toHaveAttribute('aria-expanded', 'true');
  // The chevron opens the row without selecting it: the inspector stays on what it showed.
  await expect(x).toHaveAttribute('aria-selected', 'false');
  await expect(inspector(page).getByText('/x', { exact: true })).toHaveCount(0);
  for (const name of ['y', 'z'])
    await expect(item(page, name)).toHaveAttribute('data-change', 'removed');
  await page.screenshot({ path: 'test-results/file-over-directory.png' });
  // The keyboard closes it as it would a directory.
  await x.click();
  await expect(inspector(page).getByText('/x', { exact: true }).first()).toBeVisible();
  await page.keyboard.press('ArrowLeft');
  await expect(x).toHaveAttribute('aria-expanded', 'false');
  await expect(item(page, 'y')).toHaveCount(0);
});

/** A row's element as the page functions below see it (e2e is typed without the DOM). */
interface SlotElement {
  querySelector(selector: string): { getAttribute(name: string): string | null } | null;
  strataMark?: number;
}

/** The row each slot of the tree shows (its data-index), and whether the slot was marked. */
async function slotRows(page: Page, mark = false): Promise<{ index: number; marked: boolean }[]> {
  return tree(page)
    .locator('.rows > *')
    .evaluateAll((elements, mark) => {
      return (elements as unknown as SlotElement[]).map((element, i) => {
        const marked = element.strataMark !== undefined;
        if (mark) element.strataMark = i;
        const index = element.querySelector('[data-index]')?.getAttribute('data-index');
        return { index: Number(index ?? -1), marked };
      });
    }, mark);
}

/** The names of the tree's items in the order the accessibility tree gives them to a screen reader. */
async function treeItemsAsRead(page: Page): Promise<string[]> {
  const cdp = await page.context().newCDPSession(page);
  try {
    await cdp.send('Accessibility.enable');
    const { nodes } = await cdp.send('Accessibility.getFullAXTree');
    const byId = new Map(nodes.map((node) => [node.nodeId, node]));
    const treeNode = nodes.find((n) => n.role?.value === 'tree' && n.name?.value === 'Files');
    const names: string[] = [];
    const visit = (id: string): void => {
      const node = byId.get(id);
      if (!node) return;
      if (node.role?.value === 'treeitem') names.push(String(node.name?.value ?? ''));
      else for (const child of node.childIds ?? []) visit(child);
    };
    for (const child of treeNode?.childIds ?? []) visit(child);
    return names;
  } finally {
    await cdp.detach();
  }
}

test('a scroll shows the rows it brings in in the slots of the rows it hid, read in list order', async ({
  page,
}) => {
  test.setTimeout(180_000);
  await openBigTreeExpanded(page);
  const rows = tree(page).getByRole('treeitem');
  await tree(page).evaluate((el) => {
    (el as unknown as { scrollTop: number }).scrollTop = 100 * 26;
  });
  await expect(tree(page).locator('[data-index="100"]')).toBeVisible();
  await treeReady(page);
  const before = await slotRows(page, true);
  const last = Math.max(...before.map((slot) => slot.index));

  // Five rows down: five slots take the five rows that come in; no row element is made or removed.
  await tree(page).evaluate((el) => {
    (el as unknown as { scrollTop: number }).scrollTop += 5 * 26;
  });
  await expect(tree(page).locator(`[data-index="${last + 5}"]`)).toBeAttached();
  await treeReady(page);
  const after = await slotRows(page);
  expect(after).toHaveLength(before.length);
  expect(after.every((slot) => slot.marked)).toBe(true);
  const moved = after.filter((slot, i) => slot.index !== before[i]!.index);
  expect(moved.map((slot) => slot.index).sort((a, b) => a - b)).toEqual(
    [1, 2, 3, 4, 5].map((n) => last + n),
  );

  // The slots are out of list order now; a screen reader still reads the rows in it.
  const inListOrder = await rows.evaluateAll((items) =>
    (items as unknown as { getAttribute(name: string): string | null }[])
      .map((item) => ({
        index: Number(item.getAttribute('data-index')),
        name: item.getAttribute('aria-label') ?? '',
      }))
      .sort((a, b) => a.index - b.index)
      .map((item) => item.name),
  );
  const inDomOrder = await rows.evaluateAll((items) =>
    (items as unknown as { getAttribute(name: string): string | null }[]).map(
      (item) => item.getAttribute('aria-label') ?? '',
    ),
  );
  expect(inDomOrder).not.toEqual(inListOrder);
  expect(await treeItemsAsRead(page)).toEqual(inListOrder);
});

/** What the tree renders at each animation frame, recorded in the page from now on. */
interface FrameRecord {
  at: number;
  slots: number;
  filterText: string;
}

async function recordFrames(page: Page): Promise<() => Promise<FrameRecord[]>> {
  await tree(page).evaluate((el) => {
    const element = el as unknown as {
      dataset: { filterText?: string };
      querySelector(selector: string): { childElementCount: number } | null;
    };
    const g = globalThis as unknown as {
      requestAnimationFrame(callback: () => void): number;
      strataFrames: FrameRecord[];
    };
    g.strataFrames = [];
    const record = () => {
      g.strataFrames.push({
        at: performance.now(),
        slots: element.querySelector('.rows')?.childElementCount ?? 0,
        filterText: element.dataset.filterText ?? '',
      });
      g.requestAnimationFrame(record);
    };
    g.requestAnimationFrame(record);
  });
  return () =>
    page.evaluate(() => (globalThis as unknown as { strataFrames: FrameRecord[] }).strataFrames);
}

test('a new view draws the rows in view first, and the rows around them a moment later', async ({
  page,
}) => {
  test.setTimeout(180_000);
  await openBigTreeExpanded(page);
  const filter = page.getByRole('searchbox', { name: 'Filter files' });
  // A first filter, so that the tree's height (the count of matches above it) stays as it is.
  await filter.fill('f1');
  await treeReady(page);
  const frames = await recordFrames(page);
  await filter.fill('f0');
  await expect(page.getByTestId('filter-matches')).toHaveText('100,000 matches');
  await treeReady(page);
  await page.waitForTimeout(500);
  // The first frame with the filter's rows holds the rows in view alone; a later one, the eight
  // rows above and below that a scroll brings in without waiting for them.
  const shown = (await frames()).filter((frame) => frame.filterText === 'f0');
  const settled = shown.at(-1)!;
  expect(shown[0]!.slots).toBe(settled.slots - 2 * 8);
  const grown = shown.find((frame) => frame.slots === settled.slots)!;
  expect(grown.at - shown[0]!.at).toBeGreaterThanOrEqual(50);
});

test('a scroll right after a new view brings the rows around the view at once', async ({
  page,
}) => {
  test.setTimeout(180_000);
  await openBigTreeExpanded(page);
  const filter = page.getByRole('searchbox', { name: 'Filter files' });
  // The scroll must come before the rows around the view come of themselves (100 ms): a page
  // held up longer than that tells nothing, and the filter is typed again.
  const slots = () =>
    tree(page).evaluate(
      (el) =>
        (
          el as unknown as { querySelector(s: string): { childElementCount: number } | null }
        ).querySelector('.rows')?.childElementCount ?? 0,
    );
  await filter.fill('f0');
  await treeReady(page);
  await page.waitForTimeout(500);
  const settledSlots = await slots();
  let result: { first: number; slots: number; ms: number } | null = null;
  for (const text of ['f00', 'f01', 'f02']) {
    await filter.fill(text);
    result = await tree(page).evaluate(async (el, text) => {
      const element = el as unknown as {
        scrollTop: number;
        dataset: { filterText?: string };
        querySelector(selector: string): { childElementCount: number } | null;
      };
      const frame = () =>
        new Promise((resolve) =>
          (
            globalThis as unknown as { requestAnimationFrame(callback: () => void): number }
          ).requestAnimationFrame(() => resolve(null)),
        );
      const count = () => element.querySelector('.rows')?.childElementCount ?? 0;
      while (element.dataset.filterText !== text) await frame();
      const shownAt = performance.now();
      const first = count();
      element.scrollTop += 26;
      await frame();
      await frame();
      return { first, slots: count(), ms: performance.now() - shownAt };
    }, text);
    if (result.ms < 90) break;
  }
  expect(result!.ms).toBeLessThan(90);
  expect(result!.first).toBe(settledSlots - 2 * 8);
  expect(result!.slots).toBe(settledSlots);
});

test('while the tree scrolls a shield over its rows takes the pointer, and the wheel still scrolls', async ({
  page,
}) => {
  test.setTimeout(180_000);
  await openBigTreeExpanded(page);
  const box = (await tree(page).boundingBox())!;
  const point = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  interface Hit {
    closest(selector: string): { getAttribute(name: string): string | null } | null;
  }
  /** What the pointer would hit in the middle of the tree, after a scroll of `rows` rows. */
  const hitAfterScroll = (rows: number) =>
    tree(page).evaluate(
      async (el, { x, y, rows }) => {
        const g = globalThis as unknown as {
          document: { elementFromPoint(x: number, y: number): Hit | null };
          requestAnimationFrame(callback: () => void): number;
        };
        (el as unknown as { scrollTop: number }).scrollTop += rows * 26;
        await new Promise((resolve) => g.requestAnimationFrame(() => resolve(null)));
        await new Promise((resolve) => g.requestAnimationFrame(() => resolve(null)));
        const hit = g.document.elementFromPoint(x, y);
        return hit
          ?.closest('[data-testid="scroll-shield"], [data-testid="tree-row"]')
          ?.getAttribute('data-testid');
      },
      { ...point, rows },
    );
  // Scrolling, no row is hit (nor hovered, nor restyled for it); once it stops, rows are again.
  expect(await hitAfterScroll(10)).toBe('scroll-shield');
  await expect.poll(() => hitAfterScroll(0)).toBe('tree-row');

  // The wheel over the shield scrolls the tree.
  const top = () => tree(page).evaluate((el) => (el as unknown as { scrollTop: number }).scrollTop);
  await page.getByTestId('scroll-shield').evaluate((el) => {
    (el as unknown as { hidden: boolean }).hidden = false;
  });
  await page.mouse.move(point.x, point.y);
  const before = await top();
  await page.mouse.wheel(0, 26 * 20);
  await expect.poll(top).toBeGreaterThan(before);
});

test('a row opened in place turns its chevron; a slot a scroll reuses does not', async ({
  page,
}) => {
  test.setTimeout(180_000);
  await openImage(page, bigArchive);
  await selectLayer(page, 0);
  /** The chevrons in the tree whose turn is running (a CSS transition). */
  const turning = () =>
    tree(page).evaluate(
      (el) =>
        (
          el as unknown as {
            getAnimations(options: { subtree: boolean }): { playState: string }[];
          }
        )
          .getAnimations({ subtree: true })
          .filter((animation) => animation.playState === 'running').length,
    );
  const open = async (name: string) => {
    const row = item(page, name);
    await row.scrollIntoViewIfNeeded();
    if ((await row.getAttribute('aria-expanded')) === 'true') return;
    await row.locator('[data-toggle]').click();
    await expect(row).toHaveAttribute('aria-expanded', 'true');
    await treeReady(page);
  };
  // /data and every other directory in it open: rows of open and closed chevrons, mixed.
  await open('data');
  const names = await tree(page)
    .getByRole('treeitem', { level: 2 })
    .getByTestId('tree-name')
    .allTextContents();
  for (const name of [names[0]!, names[2]!, names[4]!]) await open(name);
  const last = item(page, names[6]!);
  await last.scrollIntoViewIfNeeded();
  await last.locator('[data-toggle]').click();
  expect(await turning()).toBeGreaterThan(0);
  await expect.poll(turning).toBe(0);
  for (let i = 0; i < 5; i++) {
    await tree(page).evaluate((el) => {
      (el as unknown as { scrollTop: number }).scrollTop += 7 * 26;
    });
    await expect(tree(page).locator('.placeholder')).toHaveCount(0);
    expect(await turning()).toBe(0);
  }
});

test('320,000 rows: a list taller than a browser draws is capped, and every row is in reach', async ({
  page,
}) => {
  test.setTimeout(240_000);
  // 320 directories of 1,000 empty files: 320,320 rows of 26 px, over the list's 8 million px cap.
  const archive = join(EXPLORER_DIR, 'many-320k.tar');
  if (!existsSync(archive)) {
    manyEntriesArchive(`${archive}.tmp`, 320_000);
    await rename(`${archive}.tmp`, archive);
  }
  await openImage(page, archive);
  await showWholeFileSystem(page);
  await expandAll(page);
  await expect(page.getByText(/^320,320 rows$/)).toBeVisible();
  const box = await tree(page)
    .locator('.rows')
    .evaluate((el) => (el as unknown as { scrollHeight: number }).scrollHeight);
  expect(box).toBeLessThanOrEqual(8_000_000);

  const inView = async (index: number) => {
    const row = tree(page).locator(`[data-index="${index}"]`);
    await expect(row).toBeVisible();
    const [r, t] = [await row.boundingBox(), await tree(page).boundingBox()];
    expect(r!.y).toBeGreaterThanOrEqual(t!.y - 0.5);
    expect(r!.y + r!.height).toBeLessThanOrEqual(t!.y + t!.height + 0.5);
  };
  // The keys reach the end and come back.
  await tree(page).focus();
  await page.keyboard.press('End');
  await expect(tree(page).getByRole('treeitem', { selected: true })).toHaveAttribute(
    'data-index',
    '320319',
  );
  await inView(320_319);
  await page.keyboard.press('PageUp');
  await inView(
    Number(await tree(page).getByRole('treeitem', { selected: true }).getAttribute('data-index')),
  );
  await page.keyboard.press('Home');
  await inView(0);
  // Scrolled to the bottom, the last row shows; halfway, the rows of the middle.
  await tree(page).evaluate((el) => {
    const e = el as unknown as { scrollTop: number; scrollHeight: number };
    e.scrollTop = e.scrollHeight;
  });
  await inView(320_319);
  await tree(page).evaluate((el) => {
    const e = el as unknown as { scrollTop: number; scrollHeight: number; clientHeight: number };
    e.scrollTop = (e.scrollHeight - e.clientHeight) / 2;
  });
  await expect
    .poll(async () =>
      Number(await tree(page).getByRole('treeitem').first().getAttribute('data-index')),
    )
    .toBeGreaterThan(150_000);
  await page.screenshot({ path: 'test-results/capped-tree.png' });
});
