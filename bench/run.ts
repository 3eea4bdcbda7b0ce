// `npm run bench`: Strata's figures against baselines measured in the same run, each figure
// alternated with its baseline (median of BENCH_RUNS, default 5, after a warm-up of each), on the
// realistic images (images.ts) and the synthetic scale series (synthetic.ts). Prints a table and
// writes bench/results/latest.json. Reports, never asserts.
//
// BENCH_ONLY=a,b,c,d,e,g,h picks figures ((f), peak RSS, comes with every other figure).
import { execFileSync } from 'node:child_process';
import {
  cpSync,
  createReadStream,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { format, resolveConfig } from 'prettier';
import type { InspectResult } from '../src-main/api/model';
import { isAlive } from '../e2e/fixtures/cache';
import { acquireEngine } from '../e2e/fixtures/engine';
import { dockerFor, loadArchive } from '../e2e/fixtures/engine-api';
import { BENCH_ROOT, ensureBenchImages, STATIC_DIR } from './images';
import { alternate, median, spreadPercent, type Command, type Figure } from './measure';
import { ensureSynthetic } from './synthetic';
import { measureUi, type UiResult } from './ui';

const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 5));
const ONLY = new Set((process.env.BENCH_ONLY ?? 'a,b,c,d,i,e,g,h').split(','));
const SCALE = [10_000, 100_000, 1_000_000];
const log = (line: string): void => void process.stderr.write(`[bench] ${line}\n`);

interface Row {
  id: string;
  figure: string;
  strata: Figure;
  baselineName: string;
  baseline: Figure;
  ratio: number;
  target: string;
  /** null when the target is not a ratio of this row. */
  met: boolean | null;
}

/** A copy of the built app, so that a rebuild in the checkout during the run changes nothing. */
function snapshotStrata(): string {
  if (!existsSync('out/main/cli.js')) {
    console.error('bench: run `npm run build` first');
    process.exit(2);
  }
  // One snapshot per run (another run may be measuring its own), removed when the run ends;
  // those of runs that died are removed by the next.
  mkdirSync(BENCH_ROOT, { recursive: true });
  for (const name of readdirSync(BENCH_ROOT)) {
    const pid = /^strata-(\d+)$/.exec(name)?.[1];
    if (pid && !isAlive(Number(pid)))
      rmSync(join(BENCH_ROOT, name), { recursive: true, force: true });
  }
  const dir = resolve(BENCH_ROOT, `strata-${process.pid}`);
  cpSync('out', join(dir, 'out'), { recursive: true });
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'out', 'main', 'cli.js');
}

function tarMember(archive: string, member: string): string {
  return execFileSync('tar', ['-xOf', archive, member], { maxBuffer: 64 * 1024 * 1024 }).toString(
    'utf8',
  );
}

/** The layer members of a docker save archive, from its manifest.json. */
function saveLayers(archive: string): string[] {
  const manifest = JSON.parse(tarMember(archive, 'manifest.json')) as { Layers: string[] }[];
  return manifest[0]!.Layers;
}

/** The layer blobs of a single-image OCI archive, from index.json and its manifest. */
function ociLayers(archive: string): string[] {
  const blob = (digest: string) => `blobs/sha256/${digest.replace(/^sha256:/, '')}`;
  const index = JSON.parse(tarMember(archive, 'index.json')) as {
    manifests: { digest: string }[];
  };
  const manifest = JSON.parse(tarMember(archive, blob(index.manifests[0]!.digest))) as {
    layers: { digest: string }[];
  };
  return manifest.layers.map((l) => blob(l.digest));
}

const sh = (label: string, script: string, args: string[]): Command => ({
  label,
  argv: ['sh', '-c', script, 'sh', ...args],
});

/** GNU tar listing every layer: `tar -xOf A L | tar -tv` for each layer L. */
const tarListing = (archive: string, layers: string[]): Command =>
  sh('tar listing', 'a=$1; shift; for l; do tar -xOf "$a" "$l" | tar -tv; done', [
    archive,
    ...layers,
  ]);

/** GNU gzip -dc of every layer blob. */
const gunzipLayers = (archive: string, blobs: string[]): Command =>
  sh('gzip -dc', 'a=$1; shift; for l; do tar -xOf "$a" "$l" | gzip -dc; done', [archive, ...blobs]);

/** Stops the run unless bench/floor.ts's interned counts of `archive` are `strata inspect`'s. */
function checkInterned(archive: string, cli: string): void {
  const run = (argv: string[]): unknown =>
    JSON.parse(execFileSync(process.execPath, argv, { maxBuffer: 256 * 1024 * 1024 }).toString());
  const sketch = run([resolve('.cache/bench/dist/floor.mjs'), archive, 'interned']);
  const inspect = run([cli, 'inspect', archive, '--json']) as InspectResult;
  const counts = {
    layers: inspect.layers.map(({ added, modified, removed }) => ({ added, modified, removed })),
    wastedBytes: inspect.efficiency.wastedBytes,
    paths: inspect.totals.files,
  };
  if (JSON.stringify(sketch) !== JSON.stringify(counts))
    throw new Error(
      `the interned sketch counts ${JSON.stringify(sketch)}, inspect ${JSON.stringify(counts)}`,
    );
}

/**
 * What a page of memory touched for the first time costs on this machine: a fresh process fills
 * a new buffer of 256 MiB, then fills it again (median of three). A page fault costs a fraction of
 * a microsecond on most machines and far more on some VMs, where every figure that grows its
 * memory pays it and the GNU baselines, reusing a few small buffers, do not.
 */
function firstTouch() {
  const mib = 256;
  const script = `const b = Buffer.allocUnsafeSlow(${mib} * 1024 * 1024);
const time = (fill) => { const t = process.hrtime.bigint(); b.fill(fill); return Number(process.hrtime.bigint() - t) / 1e6; };
const fresh = time(1);
console.log(JSON.stringify({ fresh, again: time(2) }));`;
  const runs = [0, 1, 2].map(
    () =>
      JSON.parse(execFileSync(process.execPath, ['-e', script]).toString()) as {
        fresh: number;
        again: number;
      },
  );
  const freshMs = median(runs.map((r) => r.fresh));
  const againMs = median(runs.map((r) => r.again));
  const pages = (mib * 1024 * 1024) / 4096;
  return {
    mib,
    freshMs: round(freshMs),
    againMs: round(againMs),
    microsPerPage: round(((freshMs - againMs) * 1000) / pages, 2),
  };
}

function machine() {
  const cpu = cpus();
  return {
    firstTouch: firstTouch(),
    cpu: cpu[0]?.model ?? 'unknown',
    cores: cpu.length,
    memoryGiB: Math.round(totalmem() / 1024 ** 3),
    kernel: release(),
    node: process.version,
    tar: execFileSync('tar', ['--version']).toString().split('\n')[0],
    gzip: execFileSync('gzip', ['--version']).toString().split('\n')[0],
  };
}

async function main(): Promise<void> {
  // Every figure reads the archives themselves, but (i) and (e2), which measure what the CLI
  // keeps between runs: the index store is off unless a command turns it on.
  process.env.STRATA_INDEX_CACHE = '0';
  const storeEnv = (dir: string): NodeJS.ProcessEnv => ({
    ...process.env,
    STRATA_INDEX_CACHE: '',
    STRATA_INDEX_CACHE_DIR: resolve(BENCH_ROOT, dir),
  });
  const started = new Date();
  const load0 = loadavg();
  const cli = snapshotStrata();
  const strata = (label: string, args: string[], env?: NodeJS.ProcessEnv): Command => ({
    label,
    argv: [process.execPath, cli, ...args],
    ...(env ? { env } : {}),
  });
  /**
   * A first run as users get one: the CLI's index store on (its default) and empty before each
   * run, so every layer's index is written to it on the way.
   */
  const firstRun = (label: string, args: string[], dir: string): Command => {
    const env = storeEnv(dir);
    return {
      ...strata(label, args, env),
      before: () => rmSync(env.STRATA_INDEX_CACHE_DIR!, { recursive: true, force: true }),
    };
  };
  /** bench/floor.ts (bundled next to this file by run.js) reading `archive` in `form`. */
  const floor = (archive: string, form: string): Command => ({
    label: `floor (${form})`,
    argv: [process.execPath, resolve('.cache/bench/dist/floor.mjs'), archive, form],
  });
  const images = await ensureBenchImages(log);
  const rows: Row[] = [];
  const add = (
    id: string,
    figure: string,
    [s, b]: [Figure, Figure],
    baselineName: string,
    target: string,
    limit: number | null,
  ): void => {
    const ratio = s.medianMs / b.medianMs;
    rows.push({
      id,
      figure,
      strata: s,
      baselineName,
      baseline: b,
      ratio,
      target,
      met: limit === null ? null : ratio <= limit,
    });
    log(
      `${id} ${figure}: ${s.medianMs.toFixed(0)} ms vs ${b.medianMs.toFixed(0)} ms = ${ratio.toFixed(2)}x`,
    );
  };
  const v1 = images.v1.archive;
  const v2 = images.v2.archive;

  if (ONLY.has('a')) {
    log('(a) strata inspect --json, uncompressed, vs GNU tar listing every layer');
    const pair = await alternate(
      strata('strata inspect', ['inspect', v1, '--json']),
      tarListing(v1, saveLayers(v1)),
      RUNS,
      log,
    );
    add(
      'a',
      'inspect, docker save (uncompressed)',
      pair,
      'GNU tar listing of every layer',
      '<= 0.5x',
      0.5,
    );
  }
  if (ONLY.has('a')) {
    // Not Strata: bench/floor.ts reads every header and keeps every entry, as any JavaScript
    // inspect must, and does nothing else. What stands between (a) and its target on this machine.
    log('(a0) the floor of (a): headers read, entries kept, paths stacked');
    const pair = await alternate(floor(v1, 'columns'), tarListing(v1, saveLayers(v1)), RUNS, log);
    add(
      'a0',
      'floor of (a): headers read, entries kept in typed arrays, paths stacked; no analysis',
      pair,
      'GNU tar listing of every layer',
      '',
      null,
    );
  }
  if (ONLY.has('a')) {
    // Not Strata either: (a)'s counts with paths interned as name bytes, never as strings. Its
    // counts must be (a)'s own, or the figure would compare unequal work.
    log('(a2) inspect counts on interned paths (a sketch), checked against strata inspect');
    checkInterned(v1, cli);
    const pair = await alternate(floor(v1, 'interned'), tarListing(v1, saveLayers(v1)), RUNS, log);
    add(
      'a2',
      "sketch of (a)'s counts on interned paths: no path a string; no dive figures, findings, JSON",
      pair,
      'GNU tar listing of every layer',
      '',
      null,
    );
  }
  if (ONLY.has('a')) {
    log(
      '(a1) strata inspect --json with the index store on and empty (a first run, as users get it)',
    );
    const pair = await alternate(
      firstRun('strata inspect (store written)', ['inspect', v1, '--json'], 'first-run-a'),
      tarListing(v1, saveLayers(v1)),
      RUNS,
      log,
    );
    add(
      'a1',
      'inspect, docker save, as a first run: index store on, written',
      pair,
      'GNU tar listing of every layer',
      '',
      null,
    );
  }
  if (ONLY.has('b')) {
    log('(b) strata ls --json of the final tree vs GNU tar listing every layer');
    const pair = await alternate(
      strata('strata ls', ['ls', v1, '--json']),
      tarListing(v1, saveLayers(v1)),
      RUNS,
      log,
    );
    add('b', 'ls --json, final tree', pair, 'GNU tar listing of every layer', '<= 0.8x', 0.8);
  }
  if (ONLY.has('c')) {
    log('(c) strata inspect of the gzip OCI archive vs GNU gzip -dc of its layer blobs');
    const oci = images.v1.ociGzip;
    const pair = await alternate(
      strata('strata inspect (oci gzip)', ['inspect', oci, '--json']),
      gunzipLayers(oci, ociLayers(oci)),
      RUNS,
      log,
    );
    add('c', 'inspect, gzip OCI archive', pair, 'GNU gzip -dc of every layer blob', '<= 0.4x', 0.4);
    log('(c1) the same with the index store on and empty (a first run, as users get it)');
    const written = await alternate(
      firstRun(
        'strata inspect (oci gzip, store written)',
        ['inspect', oci, '--json'],
        'first-run-c',
      ),
      gunzipLayers(oci, ociLayers(oci)),
      RUNS,
      log,
    );
    add(
      'c1',
      'inspect, gzip OCI, as a first run: index store on, written',
      written,
      'GNU gzip -dc of every layer blob',
      '',
      null,
    );
    // Not Strata: bench/floor.ts inflates every layer blob on as many threads as Strata's layer
    // workers, and does nothing else (no hash, no header).
    log('(c0) the floor of (c): every layer inflated on as many threads as the layer workers');
    const inflated = await alternate(
      floor(oci, 'inflate'),
      gunzipLayers(oci, ociLayers(oci)),
      RUNS,
      log,
    );
    add(
      'c0',
      'floor of (c): every layer blob inflated on as many threads as the layer workers; nothing else',
      inflated,
      'GNU gzip -dc of every layer blob',
      '',
      null,
    );
  }
  if (ONLY.has('d')) {
    log('(d) strata diff v1 v2 vs one strata inspect v1');
    const pair = await alternate(
      strata('strata diff', ['diff', v1, v2, '--json']),
      strata('strata inspect', ['inspect', v1, '--json']),
      RUNS,
      log,
    );
    add('d', 'diff v1 v2 (shared base)', pair, 'one strata inspect of v1', '<= 1.3x', 1.3);
  }
  if (ONLY.has('i')) {
    log('(i) strata inspect again, layer indexes from the index store, vs a cold inspect');
    const env = storeEnv('index-store');
    rmSync(env.STRATA_INDEX_CACHE_DIR!, { recursive: true, force: true });
    const pair = await alternate(
      strata('strata inspect (stored indexes)', ['inspect', v1, '--json'], env),
      strata('strata inspect', ['inspect', v1, '--json']),
      RUNS,
      log,
    );
    add('i', 'inspect again, stored layer indexes', pair, 'a cold strata inspect (a)', '', null);
  }
  if (ONLY.has('e'))
    await engineFigures(
      images.v1.archive,
      images.v1.ref,
      strata,
      add,
      storeEnv('index-store-engine'),
    );

  const scale: ScaleRow[] = [];
  if (ONLY.has('h')) {
    for (const target of SCALE) {
      const synth = await ensureSynthetic(target, log);
      log(`(h) scale ${synth.entries} entries: strata inspect vs GNU tar listing`);
      const runs = target >= 1_000_000 ? Math.max(5, Math.min(RUNS, 5)) : RUNS;
      const [s, b] = await alternate(
        strata('strata inspect', ['inspect', synth.path, '--json']),
        tarListing(synth.path, saveLayers(synth.path)),
        runs,
        log,
      );
      add(
        `h${target / 1000}k`,
        `inspect, ${synth.entries} entries`,
        [s, b],
        'GNU tar listing of every layer',
        '',
        null,
      );
      scale.push({
        entries: synth.entries,
        archiveMiB: synth.bytes / 1024 ** 2,
        seconds: s.medianMs / 1000,
        rssMiB: s.medianRssMiB,
        secondsPer100k: s.medianMs / 1000 / (synth.entries / 100_000),
        rssMiBPer100k: s.medianRssMiB / (synth.entries / 100_000),
      });
    }
  }

  let ui: UiResult | null = null;
  if (ONLY.has('g')) {
    log('(g) browser mode: Playwright in Debian Chromium against strata web');
    ui = await measureUi(cli, v1, RUNS, log, STATIC_DIR);
  }

  const result = {
    started: started.toISOString(),
    seconds: (Date.now() - started.getTime()) / 1000,
    runs: RUNS,
    machine: machine(),
    loadAverage: { start: load0, end: loadavg() },
    images: {
      realistic: images.facts,
      buildSeconds: images.buildSeconds,
    },
    rows: rows.map((r) => ({
      id: r.id,
      measuredAt: started.toISOString(),
      figure: r.figure,
      strataMs: round(r.strata.medianMs),
      strataRssMiB: round(r.strata.medianRssMiB),
      strataMinorFaults: r.strata.medianMinorFaults,
      baselineMinorFaults: r.baseline.medianMinorFaults,
      baseline: r.baselineName,
      baselineMs: round(r.baseline.medianMs),
      baselineRssMiB: round(r.baseline.medianRssMiB),
      ratio: round(r.ratio, 3),
      strataCpuMs: round(r.strata.medianCpuMs),
      baselineCpuMs: round(r.baseline.medianCpuMs),
      cpuRatio: round(r.strata.medianCpuMs / r.baseline.medianCpuMs, 3),
      target: r.target,
      met: r.met,
      spreadPercent: {
        strata: round(spreadPercent(r.strata)),
        baseline: round(spreadPercent(r.baseline)),
      },
      strataRunsMs: r.strata.runs.map((x) => round(x.ms)),
      baselineRunsMs: r.baseline.runs.map((x) => round(x.ms)),
    })),
    scale: scale.map((s) =>
      Object.fromEntries(Object.entries(s).map(([k, v]) => [k, round(v, 3)])),
    ),
    ui,
  };
  const out = process.env.BENCH_OUT ?? 'bench/results/latest.json';
  // A partial run (BENCH_ONLY) keeps the previous file's other figures, each with when it was measured.
  if (process.env.BENCH_ONLY && existsSync(out)) {
    const previous = JSON.parse(readFileSync(out, 'utf8')) as typeof result;
    const ids = new Set(result.rows.map((r) => r.id));
    result.rows = [...previous.rows.filter((r) => !ids.has(r.id)), ...result.rows].sort((a, b) =>
      a.id.localeCompare(b.id, 'en', { numeric: true }),
    );
    if (!ONLY.has('h')) result.scale = previous.scale;
    if (!ONLY.has('g')) result.ui = previous.ui;
  }
  printTable(result.rows, result.scale as unknown as ScaleRow[], result.ui);
  mkdirSync('bench/results', { recursive: true });
  // Formatted as the repository's prettier check wants it.
  const config = (await resolveConfig(resolve(out))) ?? {};
  writeFileSync(out, await format(JSON.stringify(result), { ...config, parser: 'json' }));
  log(`wrote ${out} (${result.seconds.toFixed(0)} s)`);
}

interface ScaleRow {
  entries: number;
  archiveMiB: number;
  seconds: number;
  rssMiB: number;
  secondsPer100k: number;
  rssMiBPer100k: number;
}

const round = (x: number, digits = 1): number => Number(x.toFixed(digits));

async function engineFigures(
  archive: string,
  ref: string,
  strata: (label: string, args: string[], env?: NodeJS.ProcessEnv) => Command,
  add: (
    id: string,
    figure: string,
    pair: [Figure, Figure],
    baselineName: string,
    target: string,
    limit: number | null,
  ) => void,
  store: NodeJS.ProcessEnv,
): Promise<void> {
  log('(e) engine: loading v1 into an engine');
  const engine = await acquireEngine();
  try {
    const docker = dockerFor(engine.dockerHost);
    const t0 = Date.now();
    await loadArchive(docker, createReadStream(archive), ref);
    log(`  docker load: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    // The load's gigabyte written out before the first measure, not during it.
    execFileSync('sync');
    const cache = resolve(BENCH_ROOT, 'export-cache');
    const env = { ...store, DOCKER_HOST: engine.dockerHost, STRATA_CACHE_DIR: cache };
    const empty = () => {
      rmSync(cache, { recursive: true, force: true });
      rmSync(store.STRATA_INDEX_CACHE_DIR!, { recursive: true, force: true });
    };
    const first: Command = {
      ...strata(
        'strata inspect docker:// (first open)',
        ['inspect', `docker://${ref}`, '--json'],
        env,
      ),
      before: empty,
    };
    const save: Command = {
      label: 'docker save',
      argv: ['docker', 'save', ref],
      env,
    };
    log('(e) strata inspect docker://IMG (empty export cache) vs docker save IMG > /dev/null');
    add(
      'e',
      'engine open, docker://',
      await alternate(first, save, RUNS, log),
      'docker save > /dev/null',
      '<= 1.1x',
      1.1,
    );
    const reopen = strata(
      'strata inspect docker:// (reopen)',
      ['inspect', `docker://${ref}`, '--json'],
      env,
    );
    log('(e) reopen from the export cache vs the first open');
    const [firstAgain, again] = await alternate(first, reopen, RUNS, log);
    add(
      'e2',
      'engine reopen, from the export cache',
      [again, firstAgain],
      'the first open',
      '<= 0.1x',
      0.1,
    );
    empty();
  } finally {
    await engine.release();
  }
}

function printTable(
  rows: { [k: string]: unknown }[],
  scale: ScaleRow[],
  ui: UiResult | null,
): void {
  console.table(
    rows.map((r) => ({
      figure: `(${r.id}) ${r.figure}`,
      'strata ms': r.strataMs,
      'strata MiB': r.strataRssMiB,
      baseline: r.baseline,
      'baseline ms': r.baselineMs,
      ratio: `${r.ratio}x`,
      'cpu ratio': r.cpuRatio === undefined ? '' : `${r.cpuRatio}x`,
      'page faults':
        r.strataMinorFaults === undefined
          ? ''
          : `${r.strataMinorFaults} / ${r.baselineMinorFaults}`,
      target: r.target,
      met: r.met === null ? '' : r.met ? 'yes' : 'NO',
    })),
  );
  if (scale.length) console.table(scale);
  if (ui) console.table(ui.figures);
  if (ui?.notMeasured.length) console.log(`not measured in the UI: ${ui.notMeasured.join('; ')}`);
}

await main();
