// `node bench/run.js profile SOURCE`: times the core's phases on one archive (load, summarize's
// parts, ls), for finding where a figure goes. A developer's tool, not part of the table.
import { diveEfficiency } from '../src-main/core/analysis/dive-efficiency';
import { findFindings } from '../src-main/core/analysis/findings';
import { computeEfficiency } from '../src-main/core/analysis/efficiency';
import { listLayer } from '../src-main/core/image/layer-view';
import { loadImage } from '../src-main/core/image/load-image';
import { summarize } from '../src-main/core/inspect';

const path = process.argv[3];
if (!path) throw new Error('usage: node bench/run.js profile ARCHIVE');
// Wall time and this process's CPU time (steadier when the machine is shared).
let cpu = process.cpuUsage();
const t = (label: string, t0: number): number => {
  const now = performance.now();
  const used = process.cpuUsage(cpu);
  cpu = process.cpuUsage();
  const cpuMs = (used.user + used.system) / 1000;
  process.stderr.write(
    `${label.padEnd(20)} ${(now - t0).toFixed(0).padStart(6)} ms wall ${cpuMs.toFixed(0).padStart(6)} ms cpu\n`,
  );
  return now;
};
let t0 = performance.now();
const model = await loadImage(path);
t0 = t('loadImage', t0);
diveEfficiency(model.indexes);
t0 = t('diveEfficiency', t0);
computeEfficiency(model.indexes, model.tree);
t0 = t('computeEfficiency', t0);
const summary = summarize(model);
t0 = t('summarize', t0);
await findFindings(model);
t0 = t('findings', t0);
JSON.stringify(summary);
t0 = t('inspect JSON', t0);
const entries = listLayer(model, model.indexes.length - 1);
t0 = t('listLayer', t0);
JSON.stringify(entries);
t('ls JSON', t0);
process.stderr.write(
  `entries ${model.indexes.reduce((n, i) => n + i.entries.length, 0)}, final ${entries.length}, rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB\n`,
);
await model.close();
