#!/usr/bin/env node
// `npm run bench`: bundles the benchmark's TypeScript (bench/*.ts, which reuses the e2e fixture
// builder's engine and conversion modules) with rolldown into .cache/bench/dist, then runs it.
// See bench/run.ts for what it measures. BENCH_RUNS, BENCH_ONLY tune a run.
import { build } from 'rolldown';

const entry = process.argv[2] ?? 'run';
const file = `.cache/bench/dist/${entry}.mjs`;
await build({
  input: `bench/${entry}.ts`,
  platform: 'node',
  // Packages and Node's modules load from node_modules at run time; only our sources are bundled.
  external: (id) => id.startsWith('node:') || /^[@a-z]/.test(id),
  output: { file, format: 'esm', codeSplitting: false },
  logLevel: 'warn',
});
await import(new URL(`../${file}`, import.meta.url).href);
