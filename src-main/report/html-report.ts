// `strata inspect SOURCE --html FILE`: one self-contained HTML page (no scripts, no external
// resources) with the layers, waste, findings and a size treemap, to attach to a pull request.
// Every text from the image is escaped: file names and commands are untrusted.
import type { Finding } from '../api/findings';
import type { WastedPath, SizeMapNode } from '../api/explorer';
import type { InspectResult } from '../api/model';
import { squarify, type Rect } from '../../src-renderer/src/lib/treemap';
import { FINDING_WORDS } from '../../src-renderer/src/lib/finding-badges';

export interface ReportInput {
  source: string;
  inspect: InspectResult;
  waste: WastedPath[];
  findings: Finding[];
  sizeMap: SizeMapNode;
  generatedAt: Date;
}

const PALETTE = [
  '#4f46e5',
  '#0891b2',
  '#16a34a',
  '#ca8a04',
  '#dc2626',
  '#9333ea',
  '#db2777',
  '#0d9488',
  '#ea580c',
  '#475569',
];

export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

/** Bidi controls, zero-width and control characters: shown by code, so a name cannot pretend. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const INVISIBLE = /[\u202a-\u202e\u2066-\u2069\u200b-\u200f\u0000-\u001f]/g;

function visible(text: string): string {
  return escapeHtml(
    text.replace(
      INVISIBLE,
      (c) => `<U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}>`,
    ),
  );
}

function bytes(n: number): string {
  if (Math.abs(n) < 1000) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = n;
  let unit = -1;
  while (Math.abs(value) >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(Math.abs(value) < 10 ? 2 : 1)} ${units[unit]}`;
}

const count = (n: number, cls: string, sign: string): string =>
  n ? `<td class="num ${cls}">${sign}${n}</td>` : '<td class="num zero">0</td>';
/** One decimal; a ratio just short of 1 is not rounded up to 100% (nor one just above 0 to 0%). */
const pct = (ratio: number): string =>
  ratio < 1 && ratio >= 0.9995
    ? '&gt;99.9%'
    : ratio > 0 && ratio < 0.0005
      ? '&lt;0.1%'
      : `${(ratio * 100).toFixed(1)}%`;
const colour = (layer: number): string => PALETTE[layer % PALETTE.length]!;

function command(createdBy: string): string {
  return (
    createdBy
      .replace(/^\/bin\/sh -c #\(nop\)\s*/, '')
      .replace(/^\/bin\/sh -c /, 'RUN ')
      .trim() || '(no command recorded)'
  );
}

/** A content digest of ADD/COPY cut to 12 characters: the step stays readable. */
const shortDigests = (text: string): string =>
  text.replace(/((?:file|dir):[0-9a-f]{12})[0-9a-f]{4,}/g, '$1…');

/** The treemap's layout size: rectangles are placed in percent of it, so the map fills any width. */
const MAP_WIDTH = 1136;
const MAP_HEIGHT = 358;
const percent = (part: number, whole: number): string => `${((part / whole) * 100).toFixed(3)}%`;

function treemap(root: SizeMapNode, bounds: Rect, depth = 0): string {
  if (!root.children?.length) return '';
  const placed = squarify(root.children, (c) => c.size, bounds);
  // Each level is laid out in its parent's box (of the layout size) and placed in percent of it.
  const boxWidth = depth === 0 ? bounds.width : bounds.width + 4;
  const boxHeight = depth === 0 ? bounds.height : bounds.height + 20;
  return placed
    .map(({ item, x, y, width, height }) => {
      const style = `left:${percent(x, boxWidth)};top:${percent(y, boxHeight)};width:${percent(width, boxWidth)};height:${percent(height, boxHeight)};background:${colour(item.layer)}`;
      const label =
        width > 60 && height > 18 ? `<span>${visible(item.name)} · ${bytes(item.size)}</span>` : '';
      const inner =
        depth < 1 && width > 80 && height > 50
          ? treemap(item, { x: 2, y: 18, width: width - 4, height: height - 20 }, depth + 1)
          : '';
      return `<div class="tm" style="${style}" title="${visible(`${item.path ?? item.name} — ${bytes(item.size)}, layer ${item.layer}`)}">${label}${inner}</div>`;
    })
    .join('');
}

export function htmlReport(input: ReportInput): string {
  const { inspect: r, waste, findings } = input;
  const title = r.image.tags[0] ?? r.image.id.slice(7, 19);
  const layerRows = r.history
    .map((step) => {
      const layer = step.layerIndex === null ? null : r.layers[step.layerIndex]!;
      if (!layer)
        return `<tr class="meta"><td></td><td colspan="5">${visible(command(step.command))}</td></tr>`;
      return `<tr><td><span class="dot" style="background:${colour(layer.index)}"></span>${layer.index}</td><td class="cmd">${visible(command(layer.command))}</td><td class="num">${bytes(layer.size)}</td>${count(layer.added, 'add', '+')}${count(layer.modified, 'mod', '~')}${count(layer.removed, 'del', '−')}</tr>`;
    })
    .join('\n');
  const wasteRows = waste
    .slice(0, 100)
    .map(
      (w) =>
        `<tr><td class="path">${visible(w.path)}</td><td>${w.kind}</td><td>${w.copies.map((c) => `${c.layer}`).join(', ')}</td><td class="num">${bytes(w.wastedBytes)}</td></tr>`,
    )
    .join('\n');
  const findingRows = findings
    .map((f) => {
      const size =
        f.kind === 'package-cache' || f.kind === 'git-directory' ? ` · ${bytes(f.bytes)}` : '';
      const gone =
        f.goneIn === null
          ? ''
          : `<span class="gone">deleted in layer ${f.goneIn}, still stored</span>`;
      return `<tr class="sev-${f.severity}" data-kind="${f.kind}"><td>${f.severity}</td><td class="kind">${FINDING_WORDS[f.kind]}</td><td><div class="path">${visible(f.path)}</div><div class="detail">${visible(f.detail)}${size}</div></td><td class="step"><b>layer ${f.layer}</b><div class="cmd clamp">${visible(shortDigests(command(f.command)))}</div></td><td>${gone}</td></tr>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Strata report: ${escapeHtml(title)}</title>
<style>
  :root { color-scheme: light dark; --fg: #1f2330; --muted: #667085; --line: #e4e7ec; --bg: #fff; --card: #f8f9fb; }
  @media (prefers-color-scheme: dark) { :root { --fg: #e6e8ee; --muted: #98a2b3; --line: #2a2f3a; --bg: #121418; --card: #1a1d23; } }
  body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); margin: 0; padding: 32px; max-width: 1200px; margin-inline: auto; }
  h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 32px 0 12px; }
  .sub { color: var(--muted); font-size: 13px; }
  .stats { display: flex; flex-wrap: wrap; gap: 12px; margin-top: 16px; }
  .stat { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; min-width: 120px; }
  .stat b { display: block; font-size: 18px; font-variant-numeric: tabular-nums; }
  .stat small { color: var(--muted); text-transform: uppercase; font-size: 11px; letter-spacing: .04em; }
  table { width: 100%; border-collapse: collapse; font-size: 13px; }
  th { text-align: left; color: var(--muted); font-weight: 600; font-size: 11px; text-transform: uppercase; letter-spacing: .04em; border-bottom: 1px solid var(--line); padding: 6px 8px; }
  td { border-bottom: 1px solid var(--line); padding: 6px 8px; vertical-align: top; }
  .cmd, .path { font-family: ui-monospace, "SF Mono", Menlo, Consolas, monospace; font-size: 12px; word-break: break-all; }
  .num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
  td:first-child { white-space: nowrap; } .zero { color: var(--muted); }
  .add { color: #16a34a; } .mod { color: #ca8a04; } .del { color: #dc2626; }
  tr.meta td { color: var(--muted); font-family: ui-monospace, Menlo, monospace; font-size: 12px; }
  .dot { display: inline-block; width: 8px; height: 8px; border-radius: 2px; margin-right: 6px; }
  .sev-high td:first-child { color: #dc2626; font-weight: 600; } .sev-medium td:first-child { color: #ca8a04; font-weight: 600; }
  .findings .kind { white-space: nowrap; font-weight: 600; }
  .findings .detail { color: var(--muted); font-family: ui-monospace, "SF Mono", Menlo, Consolas, monospace; font-size: 12px; overflow-wrap: anywhere; margin-top: 2px; }
  .findings .step { width: 34%; } .findings .step b { font-weight: 600; }
  .findings .cmd { color: var(--muted); margin-top: 2px; }
  .clamp { display: -webkit-box; -webkit-box-orient: vertical; -webkit-line-clamp: 2; line-clamp: 2; overflow: hidden; }
  .gone { display: inline-block; padding: 1px 8px; border-radius: 6px; background: rgba(220, 38, 38, .12); color: #dc2626; font-size: 12px; font-weight: 600; }
  .treemap { position: relative; height: 360px; border-radius: 8px; overflow: hidden; background: var(--card); border: 1px solid var(--line); }
  .tm { position: absolute; box-sizing: border-box; border: 1px solid rgba(255,255,255,.55); overflow: hidden; color: #fff; font-size: 11px; }
  .tm > span { position: absolute; left: 4px; top: 2px; white-space: nowrap; text-shadow: 0 1px 1px rgba(0,0,0,.35); }
  .note { color: var(--muted); font-size: 12px; margin-top: 6px; }
  footer { margin-top: 40px; color: var(--muted); font-size: 12px; }
</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<div class="sub">${escapeHtml(r.image.id)} · ${escapeHtml(`${r.image.os}/${r.image.architecture}`)} · ${escapeHtml(input.source)}</div>
<div class="stats">
  <div class="stat"><small>Size</small><b>${bytes(r.totals.size)}</b></div>
  <div class="stat"><small>Layers</small><b>${r.layers.length}</b></div>
  <div class="stat"><small>Efficiency</small><b>${pct(r.efficiency.score)}</b></div>
  <div class="stat"><small>Wasted</small><b>${bytes(r.efficiency.wastedBytes)}</b></div>
  <div class="stat"><small>dive's efficiency</small><b>${pct(r.dive.efficiency)}</b></div>
  <div class="stat"><small>dive's wasted</small><b>${bytes(r.dive.wastedBytes)}</b></div>
  <div class="stat"><small>Findings</small><b>${findings.length}</b></div>
</div>
<p class="note">Wasted bytes are the bytes stored in all layers minus the bytes visible in the final file system (overwritten, duplicated and deleted content); efficiency is visible / stored. dive counts every copy of a path written in more than one layer, the kept copy too, and misses the files under a deleted directory.</p>

<h2>Findings</h2>
${findings.length ? `<table class="findings"><thead><tr><th>Severity</th><th>Kind</th><th>Path and what was found</th><th>Added by</th><th>Deleted</th></tr></thead><tbody>\n${findingRows}\n</tbody></table><p class="note">Secret values are masked. A file a later layer deleted is still stored in the layer that added it: every pull of the image downloads it.</p>` : '<p class="note">Nothing found: no secrets, credential files, .git directories, package caches, setuid, setgid or world-writable files.</p>'}

<h2>Layers</h2>
<table><thead><tr><th>#</th><th>Step</th><th class="num">Size</th><th class="num">Added</th><th class="num">Modified</th><th class="num">Removed</th></tr></thead><tbody>
${layerRows}
</tbody></table>

<h2>Where the space goes</h2>
<div class="treemap">${treemap(input.sizeMap, { x: 0, y: 0, width: MAP_WIDTH, height: MAP_HEIGHT })}</div>
<p class="note">Each rectangle is a directory or file of the final file system, sized by its bytes and coloured by the layer that wrote most of them (the dots in the layer table).</p>

<h2>Waste</h2>
${waste.length ? `<table><thead><tr><th>Path</th><th>Kind</th><th>Stored in layers</th><th class="num">Wasted</th></tr></thead><tbody>\n${wasteRows}\n</tbody></table>${waste.length > 100 ? `<p class="note">The ${waste.length - 100} smaller ones are left out.</p>` : ''}` : '<p class="note">Nothing is wasted.</p>'}

<footer>Made by Strata on ${escapeHtml(input.generatedAt.toISOString())}.</footer>
</body>
</html>
`;
}
