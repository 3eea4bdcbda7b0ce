import type { DiffResult } from '../api/compare';
import type { ImageChoice } from '../core/archive/resolve-image';
import { diffArchives } from '../core/columns/diff-columns';
import { diffImages } from '../core/compare/diff-images';
import { StrataError } from '../core/errors';
import { disputeOf, LayerIndexCache } from '../core/layer/index-cache';
import { parseSource } from '../core/source/source-spec';
import { parseCommandArgs, SOURCE_OPTIONS } from './args';
import { expectLayersOf } from '../core/source/open-source';
import { openCliSource } from './source';
import { displayCommand, formatBytes, table } from './format';
import { writeOut } from './write-out';

export async function runDiff(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('diff', args, {
    ...SOURCE_OPTIONS,
    json: { type: 'boolean' },
  });
  if (positionals.length !== 2)
    throw new StrataError('bad-request', 'diff: give two SOURCEs, A and B');
  const [a, b] = positionals as [string, string];
  const choice = { image: values.image, platform: values.platform };
  const result =
    parseSource(a).kind === 'path' && parseSource(b).kind === 'path'
      ? await diffPaths(a, b, choice)
      : await diffSources(a, b, choice);
  writeOut(values.json ? JSON.stringify(result, null, 2) : humanDiff(result));
  writeOut('\n');
  return 0;
}

/**
 * A layer claiming the other image's diff ID for other bytes: one of the two is not what it says.
 * The diff shows its files as they are; the terminal says why.
 */
function warnDisputed(text: string, layers: readonly object[]): void {
  layers.forEach((layer, i) => {
    const why = disputeOf(layer);
    if (why) process.stderr.write(`strata: warning: ${text} layer ${i}: ${why}\n`);
  });
}

/** Two archives, on interned paths over one tree (core/columns/diff-columns.ts). */
async function diffPaths(a: string, b: string, choice: ImageChoice): Promise<DiffResult> {
  const { diff, layersB } = await diffArchives(a, b, choice);
  warnDisputed(b, layersB);
  return diff;
}

/** Any two sources (an engine's image on either side), through the image model. */
async function diffSources(a: string, b: string, choice: ImageChoice): Promise<DiffResult> {
  const cache = new LayerIndexCache(); // layers the two images share are read once
  // The final trees are compared: no layer's own changes are needed.
  const options = { ...choice, changes: 'none' as const };
  await expectLayersOf(b, options, cache);
  const ma = await openCliSource(a, { ...options, layerCache: cache });
  try {
    const mb = await openCliSource(b, { ...options, layerCache: cache });
    try {
      warnDisputed(b, mb.indexes);
      return await diffImages(ma, mb);
    } finally {
      await mb.close();
    }
  } finally {
    await ma.close();
  }
}

const MARK = { added: '+', removed: '-', modified: '~' } as const;

function humanDiff(d: DiffResult): string {
  const sign = d.sizeDelta < 0 ? '-' : '+';
  const lines = [
    `Shared layers  ${d.sharedLayers}`,
    `Size           ${sign}${formatBytes(Math.abs(d.sizeDelta))}`,
    `Files          ${d.summary.added} added, ${d.summary.modified} modified, ${d.summary.removed} removed`,
    '',
  ];
  const divergent = d.layers.filter((l) => !l.shared);
  if (divergent.length) {
    lines.push('Layers after the shared base (A | B):');
    const cell = (s: DiffResult['layers'][number]['a']) =>
      s ? `${s.index} ${formatBytes(s.size)} ${displayCommand(s.command).slice(0, 50)}` : '';
    lines.push(table(divergent.map((l) => [cell(l.a), '|', cell(l.b)])), '');
  }
  if (d.files.length) {
    lines.push(table(d.files.map((f) => [MARK[f.change], f.path, f.aspects?.join(',') ?? ''])), '');
  }
  if (d.config.length) {
    lines.push(
      'Config:',
      table(d.config.map((c) => [c.field, c.a || '(none)', '->', c.b || '(none)'])),
    );
  }
  return lines.join('\n').trimEnd();
}
