// A private Podman API service for the tests, as REFERENCE.md describes it: Debian's podman with
// vfs storage in a fresh temp dir, `podman load` for the fixture archives, then
// `podman system service --time 0 unix://SOCK`. Returns null, with why, when podman cannot run.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ping } from '../fixtures/engine';

const run = promisify(execFile);

export interface PodmanService {
  socketPath: string;
  /** `unix:///…/podman.sock`: a CONTAINER_HOST (or DOCKER_HOST) value. */
  host: string;
  /** Runs `podman load -i archive` into this service's storage. */
  load(archive: string): Promise<void>;
  release(): Promise<void>;
}

function findPodman(): string | null {
  for (const dir of (process.env.PATH ?? '').split(':').concat(['/usr/bin', '/usr/local/bin'])) {
    const candidate = join(dir, 'podman');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

export async function startPodmanService(): Promise<PodmanService | { unavailable: string }> {
  const podman = findPodman();
  if (!podman) return { unavailable: 'podman is not installed (apt-get install podman)' };
  const dir = mkdtempSync(join(process.env.STRATA_ENGINE_TMP || '/tmp', 'strata-pm-'));
  const storage = [
    '--storage-driver',
    'vfs',
    '--root',
    join(dir, 'root'),
    '--runroot',
    join(dir, 'run'),
    '--tmpdir',
    join(dir, 'tmp'),
    '--events-backend',
    'file',
    '--cgroup-manager',
    'cgroupfs',
  ];
  const socketPath = join(dir, 'podman.sock');
  const child: ChildProcess = spawn(
    podman,
    [...storage, 'system', 'service', '--time', '0', `unix://${socketPath}`],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => (log = (log + chunk.toString()).slice(-4000)));
  let exited: string | null = null;
  const exitedPromise = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = signal ? `signal ${signal}` : `exit code ${code}`;
      resolve();
    }),
  );
  const release = async (): Promise<void> => {
    if (exited === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exitedPromise;
      clearTimeout(timer);
    }
    await rm(dir, { recursive: true, force: true, maxRetries: 3 });
  };
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline && exited === null) {
    if (await ping(socketPath, 1_000)) {
      return {
        socketPath,
        host: `unix://${socketPath}`,
        load: async (archive) => {
          await run(podman, [...storage, 'load', '-q', '-i', archive], { timeout: 120_000 });
        },
        release,
      };
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  await release();
  return {
    unavailable: `podman system service did not answer (${exited ?? 'no /_ping answer in 30 s'}): ${log.trim().split('\n').slice(-3).join(' | ')}`,
  };
}
