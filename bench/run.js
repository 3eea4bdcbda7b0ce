#!/usr/bin/env node
// `npm run bench`: bundles the benchmark's TypeScript (bench/*.ts, which reuses the e2e fixture
// builder's engine and conversion modules) with rolldown into .cache/bench/dist, then runs it.
// See bench/run.ts for what it measures. BENCH_RUNS, BENCH_ONLY tune a run. The benchmark also
// runs bench/floor.ts as a program of its own: it is bundled alongside.
import { build } from 'rolldown';

const entry = process.argv[2] ?? 'run';
const bundle = (name) =>
  build({
    input: `bench/${name}.ts`,
    platform: 'node',
    // Packages and Node's modules load from node_modules at run time; only our sources are bundled.
    external: (id) => id.startsWith('node:') || /^[@a-z]/.test(id),
    output: { file: `.cache/bench/dist/${name}.mjs`, format: 'esm', codeSplitting: false },
    logLevel: 'warn',
  });
await Promise.all([bundle(entry), ...(entry === 'run' ? [bundle('floor')] : [])]);
await import(new URL(`../.cache/bench/dist/${entry}.mjs`, import.meta.url).href);
