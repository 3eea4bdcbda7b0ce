import type { DiffResult } from '../api/compare';
import { diffImages } from '../core/compare/diff-images';
import { StrataError } from '../core/errors';
import { disputeOf, LayerIndexCache } from '../core/layer/index-cache';
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
  const cache = new LayerIndexCache(); // layers the two images share are read once
  // The final trees are compared: no layer's own changes are needed.
  const choice = { image: values.image, platform: values.platform, changes: 'none' as const };
  // B's copies of the layers A holds are compared with A's as A is read.
  await expectLayersOf(positionals[1]!, choice, cache);
  const a = await openCliSource(positionals[0]!, { ...choice, layerCache: cache });
  try {
    const b = await openCliSource(positionals[1]!, { ...choice, layerCache: cache });
    try {
      // A layer claiming the other image's diff ID for other bytes: one of the two is not what
      // it says. The diff shows its files as they are; the terminal says why.
      b.indexes.forEach((index, i) => {
        const why = disputeOf(index);
        if (why) process.stderr.write(`strata: warning: ${positionals[1]} layer ${i}: ${why}\n`);
      });
      const result = await diffImages(a, b);
      writeOut(values.json ? JSON.stringify(result, null, 2) : humanDiff(result));
      writeOut('\n');
    } finally {
      await b.close();
    }
  } finally {
    await a.close();
  }
  return 0;
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
