#!/usr/bin/env node
// `npm run fuzz`: mutated real archives fed to the built CLI (`strata inspect` and `strata ls`).
// A crash (exit other than 0/2, or a stack trace), a hang (per-input timeout) or a run past the
// memory bound (Node's heap limit) saves the input under fuzz/regressions/ as a new case, which
// `npm test` replays (src-main/core/robustness/regressions.test.ts).
//   FUZZ_SECONDS=1800 npm run fuzz     time budget (default 60)
//   FUZZ_COUNT=200 FUZZ_SEED=7         a fixed, seeded pass (what CI runs)
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SECONDS = Number(process.env.FUZZ_SECONDS ?? 60);
const COUNT = process.env.FUZZ_COUNT ? Number(process.env.FUZZ_COUNT) : Infinity;
let seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const TIMEOUT_MS = Number(process.env.FUZZ_TIMEOUT_MS ?? 20_000);
const HEAP_MB = 512;
const PARALLEL = Number(process.env.FUZZ_PARALLEL ?? 2);

if (!existsSync('out/main/cli.js')) {
  console.error('fuzz: run `npm run build` first');
  process.exit(2);
}

const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
const int = (n) => Math.floor(random() * n);

function seeds() {
  const list = [];
  const demo = execDemo();
  if (demo) list.push(['demo', demo]);
  const manifest = '.cache/fixtures/current.json';
  if (existsSync(manifest)) {
    const { fixtures } = JSON.parse(readFileSync(manifest, 'utf8'));
    for (const [name, files] of Object.entries(fixtures)) {
      for (const key of ['archive', 'ociGzip', 'ociZstd']) {
        if (files[key] && existsSync(files[key]))
          list.push([`${name}.${key}`, readFileSync(files[key])]);
      }
    }
  }
  return list;
}

/** The demo image, once any Strata run has written it to the temp dir. */
function execDemo() {
  const name = readdirSync(tmpdir()).find((n) => /^strata-demo-[0-9a-f]+\.tar$/.test(n));
  return name ? readFileSync(join(tmpdir(), name)) : null;
}

const MUTATIONS = {
  truncate: (b) => b.subarray(0, int(b.length)),
  flip: (b) => {
    const c = Buffer.from(b);
    for (let i = 0, n = 1 + int(8); i < n; i++) {
      const at = int(c.length);
      c[at] ^= 1 << int(8);
    }
    return c;
  },
  flipHeader: (b) => {
    const c = Buffer.from(b);
    const block = int(Math.floor(c.length / 512));
    const at = block * 512 + int(512);
    c[at] ^= 1 << int(8);
    return c;
  },
  splice: (b) => {
    const from = int(b.length);
    const len = int(Math.min(65536, b.length - from));
    const to = int(b.length);
    return Buffer.concat([b.subarray(0, to), b.subarray(from, from + len), b.subarray(to)]);
  },
  duplicate: (b) => {
    const block = int(Math.floor(b.length / 512)) * 512;
    const len = (1 + int(8)) * 512;
    return Buffer.concat([
      b.subarray(0, block + len),
      b.subarray(block, block + len),
      b.subarray(block + len),
    ]);
  },
  corruptJson: (b) => {
    const c = Buffer.from(b);
    const starts = [];
    for (let at = c.indexOf('{"'); at >= 0 && starts.length < 64; at = c.indexOf('{"', at + 1))
      starts.push(at);
    for (let at = c.indexOf('[{"'); at >= 0 && starts.length < 128; at = c.indexOf('[{"', at + 1))
      starts.push(at);
    if (!starts.length) return c;
    const at = starts[int(starts.length)] + int(200);
    const junk = ['"', '}', ']', '\\', '\0', '9e999', '{', '"__proto__":1,', '\xff'];
    c.write(junk[int(junk.length)], Math.min(at, c.length - 1), 'latin1');
    return c;
  },
};

function runCli(args, path) {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [`--max-old-space-size=${HEAP_MB}`, 'bin/strata.js', ...args, path],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve({ verdict: 'hang', stderr });
    }, TIMEOUT_MS);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0 || (code === 2 && /^strata: .+\n$/.test(stderr) && !/\n\s+at /.test(stderr)))
        resolve({ verdict: 'ok' });
      else resolve({ verdict: signal ? `signal ${signal}` : `exit ${code}`, stderr });
    });
  });
}

const work = mkdtempSync(join(tmpdir(), 'strata-fuzz-'));
const base = seeds();
if (!base.length) {
  console.error(
    'fuzz: no seed archives (build the fixtures with `npx vitest run e2e` or set FUZZ_DEMO)',
  );
  process.exit(2);
}
const started = Date.now();
let tried = 0;
const findings = [];
const names = Object.keys(MUTATIONS);

async function worker(slot) {
  while (tried < COUNT && Date.now() - started < SECONDS * 1000) {
    const n = tried++;
    const [seedName, bytes] = base[int(base.length)];
    const mutation = names[int(names.length)];
    let input = MUTATIONS[mutation](bytes);
    if (random() < 0.3) input = MUTATIONS[names[int(names.length)]](input);
    const path = join(work, `in-${slot}.tar`);
    writeFileSync(path, input);
    for (const args of [
      ['inspect', '--json'],
      ['ls', '--json'],
    ]) {
      const { verdict, stderr } = await runCli(args, path);
      if (verdict === 'ok') continue;
      const id = createHash('sha256').update(input).digest('hex').slice(0, 16);
      writeFileSync(join('fuzz/regressions', `${id}.tar`), input);
      findings.push({
        n,
        seed: seedName,
        mutation,
        args: args.join(' '),
        verdict,
        id,
        stderr: (stderr ?? '').split('\n').slice(0, 3).join(' | '),
      });
      console.log(
        `FINDING #${n} ${verdict} on strata ${args.join(' ')} (${seedName}, ${mutation}) -> fuzz/regressions/${id}.tar`,
      );
      break;
    }
  }
}

await Promise.all(Array.from({ length: PARALLEL }, (_, i) => worker(i)));
rmSync(work, { recursive: true, force: true });
const secs = ((Date.now() - started) / 1000).toFixed(0);
console.log(
  `fuzz: ${tried} inputs in ${secs} s from ${base.length} seed archives, ${findings.length} findings`,
);
process.exit(findings.length ? 1 : 0);
