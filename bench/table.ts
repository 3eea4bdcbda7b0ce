// `node bench/run.js table [results.json]`: the results as the Markdown table the README shows.
import { readFileSync } from 'node:fs';

interface Row {
  id: string;
  figure: string;
  strataMs: number;
  strataRssMiB: number;
  baseline: string;
  baselineMs: number;
  ratio: number;
  /** Absent in results from before CPU time was recorded. */
  cpuRatio?: number;
  strataCpuMs?: number;
  baselineCpuMs?: number;
  target: string;
  met: boolean | null;
  spreadPercent: { strata: number; baseline: number };
}
interface Results {
  started: string;
  runs: number;
  machine: { cpu: string; cores: number; memoryGiB: number; kernel: string; node: string };
  loadAverage: { start: number[]; end: number[] };
  images: { realistic: { archiveBytes: number; ociGzipBytes: number; layers: number } };
  rows: Row[];
  scale: {
    entries: number;
    seconds: number;
    rssMiB: number;
    secondsPer100k: number;
    rssMiBPer100k: number;
  }[];
  ui: {
    figures: { interaction: string; medianMs: number; detail: string }[];
    notMeasured: string[];
  } | null;
}

const r = JSON.parse(
  readFileSync(process.argv[3] ?? 'bench/results/latest.json', 'utf8'),
) as Results;
const s = (ms: number): string => (ms / 1000).toFixed(2);
const lines: string[] = [];
lines.push(
  `Measured ${r.started.slice(0, 10)} on ${r.machine.cores} cores (${r.machine.cpu}), ${r.machine.memoryGiB} GiB, Linux ${r.machine.kernel}, Node ${r.machine.node}; median of ${r.runs} runs, each alternated with its baseline, warm page cache; load average ${r.loadAverage.start.map((x) => x.toFixed(1)).join('/')} at the start (the machine was shared).`,
  '',
  '| figure | Strata | peak RSS | baseline | ratio | target | met | CPU time ratio |',
  '|---|---:|---:|---|---:|---|---|---:|',
);
for (const row of r.rows) {
  lines.push(
    `| (${row.id}) ${row.figure} | ${s(row.strataMs)} s | ${Math.round(row.strataRssMiB)} MiB | ${row.baseline}: ${s(row.baselineMs)} s | ${row.ratio.toFixed(2)}x | ${row.target || '—'} | ${row.met === null ? '' : row.met ? 'yes' : '**no**'} | ${row.cpuRatio === undefined ? '' : `${row.cpuRatio.toFixed(2)}x (${s(row.strataCpuMs!)} / ${s(row.baselineCpuMs!)} s)`} |`,
  );
}
if (r.scale.length) {
  lines.push(
    '',
    '| entries | inspect | peak RSS | s per 100k | MiB per 100k |',
    '|---:|---:|---:|---:|---:|',
  );
  for (const x of r.scale) {
    lines.push(
      `| ${x.entries.toLocaleString('en')} | ${x.seconds.toFixed(2)} s | ${Math.round(x.rssMiB)} MiB | ${x.secondsPer100k.toFixed(2)} | ${Math.round(x.rssMiBPer100k)} |`,
    );
  }
}
if (r.ui) {
  lines.push('', '| browser mode (Chromium, `strata web`) | median | |', '|---|---:|---|');
  for (const f of r.ui.figures)
    lines.push(
      `| ${f.interaction} | ${f.interaction.includes('a count') ? f.medianMs : `${f.medianMs.toFixed(0)} ms`} | ${f.detail.replace(/\s+/g, ' ')} |`,
    );
  if (r.ui.notMeasured.length) lines.push('', `Not measured: ${r.ui.notMeasured.join('; ')}.`);
}
console.log(lines.join('\n'));
