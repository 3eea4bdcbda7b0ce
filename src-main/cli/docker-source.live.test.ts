// The CLI with docker://REF against a real engine holding the fixtures: `strata inspect
// docker://IMG --json` is `strata inspect` of the image's docker save archive (modulo the
// archive format), ls and cat agree too, and the failures print one clear line and exit 2.
import { execFile, spawn } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InspectResult } from '../api/model';
import { fixturePaths, readEngineRecord, type FixtureName } from '../../e2e/fixtures';
import { REPO_ROOT } from '../../e2e/fixtures/manifest';
import { startFixtureEngine, type FixtureEngine } from '../../e2e/fixtures/live-engine';
import { acceptThenClose, type MisbehavingSocket } from '../../e2e/engine/misbehaving-socket';
import { removeTempDirs, tempDir } from '../../e2e/engine/temp-dirs';
import { guardEngineImages } from '../../e2e/engine/image-guard-vitest';

const run = promisify(execFile);
const BIN = join(REPO_ROOT, 'bin', 'strata.js');
const CLI = join(REPO_ROOT, 'out', 'main', 'cli.js');

let engine: FixtureEngine;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  if (!existsSync(CLI))
    throw new Error(`${CLI} is missing: run \`npm run build\` before the tests.`);
  engine = await startFixtureEngine();
  env = {
    ...process.env,
    DOCKER_HOST: engine.dockerHost,
    XDG_CACHE_HOME: tempDir('strata-cli-cache-'),
    STRATA_CACHE_DIR: '',
  };
}, 240_000);

afterAll(async () => {
  await engine?.release();
  await removeTempDirs();
});

guardEngineImages(() => engine);

async function strata(args: string[], extra: NodeJS.ProcessEnv = {}): Promise<string> {
  const { stdout } = await run(process.execPath, [BIN, ...args], {
    env: { ...env, ...extra },
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout;
}

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs the CLI to its end whatever the exit code; `uid` runs it as another user. */
function outcome(args: string[], extra: NodeJS.ProcessEnv = {}, uid?: number): Promise<Outcome> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...env, ...extra },
      ...(uid === undefined ? {} : { uid, gid: uid }),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: Date.now() - started }));
  });
}

const withoutFormat = ({ format: _format, ...rest }: InspectResult) => rest;
const names = Object.keys(fixturePaths().fixtures) as FixtureName[];

describe.each(names)('docker:// of the %s fixture', (name) => {
  it('inspect --json equals inspect of its docker save archive', async () => {
    const files = fixturePaths().fixtures[name];
    const ref = readEngineRecord(files.engine).tags[0]!;
    const fromEngine = JSON.parse(
      await strata(['inspect', `docker://${ref}`, '--json']),
    ) as InspectResult;
    const fromArchive = JSON.parse(
      await strata(['inspect', files.archive, '--json']),
    ) as InspectResult;
    expect(withoutFormat(fromEngine)).toEqual(withoutFormat(fromArchive));
  });
});

describe('docker:// and the index store', () => {
  it('a fresh export leaves every layer index in the store, and a reopen reads the same', async () => {
    const cache = tempDir('strata-cli-store-');
    const store = {
      XDG_CACHE_HOME: cache,
      STRATA_INDEX_CACHE: '',
      STRATA_INDEX_CACHE_DIR: '',
      STRATA_INDEX_CACHE_MIN_ENTRIES: '0',
    };
    const ref = `docker://${engine.refs.basic}`;
    const first = await strata(['inspect', ref, '--json'], store);
    const layers = (JSON.parse(first) as InspectResult).layers.length;
    const kept = readdirSync(join(cache, 'strata', 'indexes'));
    expect(kept.filter((name) => name.endsWith('.idx'))).toHaveLength(layers);
    expect(await strata(['inspect', ref, '--json'], store)).toBe(first);
    expect(readdirSync(join(cache, 'strata', 'indexes'))).toEqual(kept);
  });
});

/** Runs the CLI with a hook that prints, as it exits, which of these packages it loaded. */
async function loadedPackages(args: string[], extra: NodeJS.ProcessEnv = {}) {
  const hook = join(tempDir('strata-hook-'), 'loaded.cjs');
  writeFileSync(
    hook,
    `process.on('exit', () => process.stderr.write('loaded: ' + JSON.stringify([...new Set(Object.keys(require.cache).map((p) => /node_modules\\/((?:@[^/]+\\/)?[^/]+)/.exec(p)?.[1]).filter(Boolean))]) + '\\n'));`,
  );
  const result = await outcome(args, { ...extra, NODE_OPTIONS: `--require ${hook}` });
  const line = /^loaded: (.*)$/m.exec(result.stderr)?.[1];
  return { ...result, packages: JSON.parse(line ?? 'null') as string[] };
}

describe('docker:// loads what it uses', () => {
  it('neither gRPC nor ssh2 for an engine on a socket', async () => {
    const run = await loadedPackages(['inspect', `docker://${engine.refs.tiny}`, '--json']);
    expect(run.code).toBe(0);
    expect(run.packages).toContain('dockerode');
    expect(run.packages.filter((p) => /grpc|protobuf|ssh2/.test(p))).toEqual([]);
  });

  it('ssh2 when the engine is at an ssh:// address', async () => {
    const run = await loadedPackages(['inspect', 'docker://alpine:3', '--json'], {
      DOCKER_HOST: 'ssh://nobody@127.0.0.1:1',
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Nothing is listening at ssh://nobody@127.0.0.1:1');
    expect(run.stderr).not.toMatch(/Warning/);
    expect(run.packages).toContain('ssh2');
  });
});

describe('docker:// with ls and cat', () => {
  it('ls --json equals the archive: the last layer, and the changes of a middle one', async () => {
    const files = fixturePaths().fixtures.basic;
    const ref = `docker://${engine.refs.basic}`;
    const layers = (JSON.parse(await strata(['inspect', ref, '--json'])) as InspectResult).layers;
    const middle = String(Math.floor(layers.length / 2));
    for (const args of [['--json'], ['--layer', middle, '--changes', '--json']]) {
      expect(await strata(['ls', ref, ...args])).toBe(await strata(['ls', files.archive, ...args]));
    }
  });

  it('cat prints the file (the image opened before, now from the export cache)', async () => {
    const exports = join(env.XDG_CACHE_HOME!, 'strata', 'exports');
    const cached = readdirSync(exports);
    expect(cached).toHaveLength(names.length);
    expect(await strata(['cat', `docker://${engine.refs.tiny}`, '/hello.txt'])).toBe(
      'Hello from the tiny Strata fixture.\n',
    );
    expect(readdirSync(exports)).toEqual(cached);
  });
});

describe('docker:// failures: one line on stderr, exit 2', () => {
  it('no socket at DOCKER_HOST', async () => {
    const missing = join(tempDir('strata-none-'), 'docker.sock');
    const r = await outcome(['inspect', 'docker://alpine:3'], { DOCKER_HOST: `unix://${missing}` });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `strata: No engine at unix://${missing}: there is no socket at ${missing}; start Docker (\`sudo systemctl start docker\`, or open Docker Desktop), or set DOCKER_HOST to the address of a running engine\n`,
    );
    expect(r.ms).toBeLessThan(10_000); // at once, not after the client's 20 s timeout
  });

  it('a name the engine URL must never see', async () => {
    const r = await outcome(['ls', 'docker://alpine?all=1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^strata: "alpine\?all=1" is not an image name or ID: "\?" cannot appear in one/,
    );
  });

  it('an image the engine does not have', async () => {
    const r = await outcome(['inspect', 'docker://strata-test/absent:1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^strata: No image "strata-test\/absent:1" in the engine at unix:\/\/.*docker images/,
    );
    expect(r.stderr.split('\n')).toHaveLength(2);
  });

  describe('a socket this user may not open', () => {
    let socket: MisbehavingSocket;
    beforeAll(async () => {
      socket = await acceptThenClose();
      chmodSync(socket.socketPath, 0o600);
    });
    afterAll(() => socket?.close());

    it('explains the docker group and the rootless socket', async (context) => {
      if (process.getuid?.() !== 0) context.skip('needs root to run the CLI as another user');
      const r = await outcome(
        ['inspect', 'docker://alpine:3'],
        { DOCKER_HOST: socket.dockerHost, HOME: '/nonexistent', XDG_CACHE_HOME: '/tmp' },
        65534,
      );
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(
        new RegExp(
          `^strata: Permission denied on ${socket.socketPath}: this user may not use the engine at unix://.*docker group.*rootless`,
        ),
      );
      expect(socket.accepted()).toBe(0);
    });
  });
});
