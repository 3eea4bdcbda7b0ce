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
  /** Absent in results from before page faults were recorded. */
  strataMinorFaults?: number;
  baselineMinorFaults?: number;
  target: string;
  met: boolean | null;
  spreadPercent: { strata: number; baseline: number };
}
interface Results {
  started: string;
  runs: number;
  machine: {
    cpu: string;
    cores: number;
    memoryGiB: number;
    kernel: string;
    node: string;
    firstTouch?: { mib: number; freshMs: number; againMs: number; microsPerPage: number };
  };
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
  '| figure | Strata | peak RSS | baseline | ratio | target | met | CPU time ratio | page faults, Strata / baseline |',
  '|---|---:|---:|---|---:|---|---|---:|---:|',
);
const touch = r.machine.firstTouch;
const thousands = (n: number): string => `${(n / 1000).toFixed(1)}k`;
/** Strata's faults, and what they cost at this machine's price of a page touched first. */
const faults = (row: Row): string => {
  if (row.strataMinorFaults === undefined || row.baselineMinorFaults === undefined) return '';
  const cost = touch ? ` (~${s(row.strataMinorFaults * touch.microsPerPage * 1e-3)} s)` : '';
  return `${thousands(row.strataMinorFaults)}${cost} / ${thousands(row.baselineMinorFaults)}`;
};
for (const row of r.rows) {
  lines.push(
    `| (${row.id}) ${row.figure} | ${s(row.strataMs)} s | ${Math.round(row.strataRssMiB)} MiB | ${row.baseline}: ${s(row.baselineMs)} s | ${row.ratio.toFixed(2)}x | ${row.target || '—'} | ${row.met === null ? '' : row.met ? 'yes' : '**no**'} | ${row.cpuRatio === undefined ? '' : `${row.cpuRatio.toFixed(2)}x (${s(row.strataCpuMs!)} / ${s(row.baselineCpuMs!)} s)`} | ${faults(row)} |`,
  );
}
if (touch) {
  lines.push(
    '',
    `A page of memory touched for the first time cost ${touch.microsPerPage.toFixed(2)} µs on this machine (${touch.mib} MiB filled fresh in ${touch.freshMs.toFixed(0)} ms, filled again in ${touch.againMs.toFixed(0)} ms); the page faults column prices each run's faults at that (CPU time, which a run with several threads spreads over them).`,
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
