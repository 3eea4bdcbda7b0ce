// Timing and peak memory of one command, and pairs of commands run alternately so that a ratio
// survives a machine shared with other work. Prints nothing; run.ts makes the table.
import { spawn } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';

export interface Command {
  /** Shown in errors. */
  label: string;
  argv: string[];
  env?: NodeJS.ProcessEnv;
  /** Runs before each timed run, not timed (e.g. emptying a cache for a "first open"). */
  before?: () => Promise<void> | void;
}

export interface Sample {
  ms: number;
  /** User + system CPU time of the process tree, from `/usr/bin/time -v`: steadier than wall time on a shared machine. */
  cpuMs: number;
  /** Peak resident set of the process tree's largest member, from `/usr/bin/time -v`. */
  rssMiB: number;
  /**
   * Minor page faults of the process tree, from `/usr/bin/time -v`: each a page of memory touched
   * for the first time, whose cost varies by machine (firstTouch() in run.ts measures it).
   */
  minorFaults: number;
}

export interface Figure {
  runs: Sample[];
  medianMs: number;
  medianCpuMs: number;
  medianRssMiB: number;
  medianMinorFaults: number;
  minMs: number;
  maxMs: number;
}

const TIME = '/usr/bin/time';

/** One run through `/usr/bin/time -v`, stdout to /dev/null; fails with the command's stderr tail. */
export async function runOnce(cmd: Command): Promise<Sample> {
  await cmd.before?.();
  const devnull = openSync('/dev/null', 'w');
  try {
    const start = process.hrtime.bigint();
    const child = spawn(TIME, ['-v', ...cmd.argv], {
      stdio: ['ignore', devnull, 'pipe'],
      env: cmd.env ?? process.env,
    });
    let stderr = '';
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      stderr += chunk;
      if (stderr.length > 1_000_000) stderr = stderr.slice(-100_000);
    });
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', resolve);
    });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    const status = /Exit status: (\d+)/.exec(stderr);
    if (code !== 0 || (status && status[1] !== '0')) {
      throw new Error(`${cmd.label} failed (exit ${status?.[1] ?? code}):\n${stderr.slice(-2000)}`);
    }
    const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
    if (!rss) throw new Error(`${cmd.label}: no peak RSS in /usr/bin/time's output`);
    const seconds = (what: string): number =>
      Number(new RegExp(`${what} time \\(seconds\\): ([0-9.]+)`).exec(stderr)?.[1] ?? NaN);
    const cpuMs = (seconds('User') + seconds('System')) * 1000;
    const faults = Number(/Minor \(reclaiming a frame\) page faults: (\d+)/.exec(stderr)?.[1]);
    return { ms, cpuMs, rssMiB: Number(rss[1]) / 1024, minorFaults: faults };
  } finally {
    closeSync(devnull);
  }
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function figureOf(runs: Sample[]): Figure {
  const ms = runs.map((r) => r.ms);
  return {
    runs,
    medianMs: median(ms),
    medianCpuMs: median(runs.map((r) => r.cpuMs)),
    medianRssMiB: median(runs.map((r) => r.rssMiB)),
    medianMinorFaults: median(runs.map((r) => r.minorFaults)),
    minMs: Math.min(...ms),
    maxMs: Math.max(...ms),
  };
}

/**
 * Runs `a` and `b` alternately `runs` times each after one untimed warm-up of each (warm page
 * cache), and returns both figures.
 */
export async function alternate(
  a: Command,
  b: Command,
  runs: number,
  log: (line: string) => void,
): Promise<[Figure, Figure]> {
  await runOnce(a);
  await runOnce(b);
  const as: Sample[] = [];
  const bs: Sample[] = [];
  for (let i = 0; i < runs; i++) {
    as.push(await runOnce(a));
    bs.push(await runOnce(b));
    log(
      `  run ${i + 1}/${runs}: ${a.label} ${as.at(-1)!.ms.toFixed(0)} ms, ${b.label} ${bs.at(-1)!.ms.toFixed(0)} ms`,
    );
  }
  return [figureOf(as), figureOf(bs)];
}

/** Spread of a figure's runs around its median, in percent: how noisy the machine was. */
export function spreadPercent(f: Figure): number {
  return f.medianMs === 0 ? 0 : ((f.maxMs - f.minMs) / f.medianMs) * 100;
}
