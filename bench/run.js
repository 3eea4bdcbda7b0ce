#!/usr/bin/env node
// `npm run bench`: Strata's figures against a baseline measured in the same run, alternating
// each figure with its baseline so the ratio survives a noisy machine. Prints, never asserts.
// For now: `strata inspect --json` of each fixture archive against GNU tar listing every layer.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const manifestPath = '.cache/fixtures/current.json';
if (!existsSync('out/main/cli.js')) {
  console.error('bench: run `npm run build` first');
  process.exit(2);
}
if (!existsSync(manifestPath)) {
  console.error(
    'bench: no fixtures yet; run `npm test` (or `npx vitest run e2e`) once to build them',
  );
  process.exit(2);
}

const time = (fn) => {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function strataInspect(archive) {
  const r = spawnSync(process.execPath, ['bin/strata.js', 'inspect', archive, '--json'], {
    stdio: 'ignore',
  });
  if (r.status !== 0) throw new Error(`strata inspect failed on ${archive}`);
}

function tarListing(archive) {
  const manifest = JSON.parse(execFileSync('tar', ['-xOf', archive, 'manifest.json']));
  for (const layer of manifest[0].Layers) {
    execFileSync('sh', ['-c', 'tar -xOf "$1" "$2" | tar -tv > /dev/null', 'sh', archive, layer]);
  }
}

const { fixtures } = JSON.parse(readFileSync(manifestPath, 'utf8'));
const rows = [];
for (const [name, { archive }] of Object.entries(fixtures)) {
  const strata = [];
  const tar = [];
  for (let i = 0; i < RUNS; i++) {
    strata.push(time(() => strataInspect(archive)));
    tar.push(time(() => tarListing(archive)));
  }
  rows.push({
    fixture: name,
    'strata inspect ms': median(strata),
    'tar listing ms': median(tar),
    ratio: median(strata) / median(tar),
  });
}
console.table(
  rows.map((r) => ({
    ...r,
    'strata inspect ms': r['strata inspect ms'].toFixed(1),
    'tar listing ms': r['tar listing ms'].toFixed(1),
    ratio: `${r.ratio.toFixed(2)}x`,
  })),
);
console.log(
  `median of ${RUNS} runs each, alternating; machine: ${process.platform} ${process.arch}, node ${process.version}`,
);
