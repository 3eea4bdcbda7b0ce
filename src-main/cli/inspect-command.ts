import type { InspectResult } from '../api/model';
import { summarize } from '../core/inspect';
import { writeFile } from 'node:fs/promises';
import { findFindings } from '../core/analysis/findings';
import { sizeMap } from '../core/analysis/size-map';
import { wastedPaths } from '../core/analysis/waste';
import { htmlReport } from '../report/html-report';
import { StrataError } from '../core/errors';
import { parseCommandArgs, SOURCE_OPTIONS } from './args';
import { displayCommand, formatBytes, table } from './format';
import { inspectCliSource } from './inspect-source';
import { openCliSource } from './source';
import { writeOut } from './write-out';

export async function runInspect(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('inspect', args, {
    ...SOURCE_OPTIONS,
    json: { type: 'boolean' },
    html: { type: 'string' },
  });
  if (positionals.length !== 1) {
    throw new StrataError(
      'bad-request',
      'inspect: give exactly one SOURCE (an image archive path, docker://REF or podman://REF)',
    );
  }
  const choice = { image: values.image, platform: values.platform };
  let result: InspectResult;
  if (values.html) {
    // The report's waste list and size map work on the image model.
    const model = await openCliSource(positionals[0]!, choice);
    try {
      result = { ...summarize(model), findings: await findFindings(model) };
      const report = htmlReport({
        source: positionals[0]!,
        inspect: result,
        findings: result.findings ?? [],
        waste: await wastedPaths(model),
        sizeMap: sizeMap(model, model.indexes.length - 1, '/', { depth: 2 }),
        generatedAt: new Date(),
      });
      await writeFile(values.html, report);
    } finally {
      await model.close();
    }
  } else {
    const { summary, findings } = await inspectCliSource(positionals[0]!, choice, {
      findings: true,
    });
    result = { ...summary, findings };
  }
  if (values.html && !values.json) {
    process.stderr.write(`strata: wrote the report to ${values.html}\n`);
    return 0;
  }
  writeOut(values.json ? `${JSON.stringify(result, null, 2)}\n` : `${humanInspect(result)}\n`);
  return 0;
}

function humanInspect(r: InspectResult): string {
  const head = [
    `Image      ${r.image.tags.join(', ') || '(untagged)'}`,
    `ID         ${r.image.id}`,
    `Platform   ${r.image.os}/${r.image.architecture}`,
    `Created    ${r.image.created ?? '-'}`,
    `Size       ${formatBytes(r.totals.size)} in ${r.layers.length} layers, ${r.totals.files} paths`,
    `Efficiency ${(r.efficiency.score * 100).toFixed(1)}%, ${formatBytes(r.efficiency.wastedBytes)} wasted (${(r.efficiency.userWastedPercent * 100).toFixed(1)}% of the layers above the base)`,
    '',
  ];
  const rows = [['#', 'SIZE', '+', '~', '-', 'COMMAND']];
  for (const step of r.history) {
    const layer = step.layerIndex === null ? null : r.layers[step.layerIndex]!;
    rows.push([
      layer ? String(layer.index) : '',
      layer ? formatBytes(layer.size) : '',
      layer ? String(layer.added) : '',
      layer ? String(layer.modified) : '',
      layer ? String(layer.removed) : '',
      displayCommand(step.command).slice(0, 120),
    ]);
  }
  // What did not stop the read: layers or blobs that do not match their digests, odd entries.
  const warnings = r.warnings.length
    ? `\n\nWarnings\n${r.warnings.map((w) => `  ${w}`).join('\n')}`
    : '';
  return head.join('\n') + table(rows, [0, 1, 2, 3, 4]) + warnings;
}
