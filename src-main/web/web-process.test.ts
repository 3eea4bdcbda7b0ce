// `strata web` as a process (the built CLI, bin/strata.js): what it keeps on disk lives in its
// own folder under the temp dir, and that folder is gone once SIGTERM or SIGINT stops it, with
// an archive uploaded and still open. Each run gets a private TMPDIR, so nothing else in the
// machine's temp dir is looked at.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { buildDemoArchive } from '../core/demo/demo-archive';

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Every file and folder under `dir`, relative to it. */
function tree(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((entry) => {
    const path = join(prefix, entry.name);
    return entry.isDirectory() ? [`${path}/`, ...tree(dir, path)] : [path];
  });
}

async function startWeb(tmp: string) {
  const child = spawn(process.execPath, ['bin/strata.js', 'web', '--port', '0'], {
    env: { ...process.env, TMPDIR: tmp },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`strata web exited with ${code}`)));
  });
  return { child, exited, url: new URL(url) };
}

/** Resolves to 'open' or the connection error's code. */
function reach(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve('open');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
  });
}

describe('strata web, listening', () => {
  it('answers on 127.0.0.1 only: not on ::1 nor on any other address of the machine', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'strata-web-process-'));
    made.push(tmp);
    const { child, exited, url } = await startWeb(tmp);
    const port = Number(url.port);
    try {
      expect(await reach('127.0.0.1', port)).toBe('open');
      const others = Object.values(networkInterfaces())
        .flat()
        .filter((a) => a !== undefined && !a.internal && !a.address.startsWith('fe80'))
        .map((a) => a!.address);
      for (const address of ['::1', ...others]) {
        expect(await reach(address, port), address).not.toBe('open');
      }
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  });
});

describe('strata web, stopped', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)(
    'removes its upload folder on %s, with an uploaded image still open',
    { timeout: 30_000 },
    async (signal) => {
      const tmp = mkdtempSync(join(tmpdir(), 'strata-web-process-'));
      made.push(tmp);
      const { child, exited, url } = await startWeb(tmp);
      const token = url.searchParams.get('token')!;

      const reply = await fetch(new URL('/api/upload?name=demo.tar', url), {
        method: 'POST',
        headers: { 'X-Strata-Token': token, 'Content-Type': 'application/octet-stream' },
        body: new Uint8Array(await buildDemoArchive()),
      });
      const result = (await reply.json()) as { ok: boolean; value: { source: string } };
      expect(result).toMatchObject({ ok: true, value: { source: 'demo.tar' } });

      // While it runs: one folder of its own in the temp dir, the upload inside it, nothing else.
      const during = tree(tmp);
      expect(during).toHaveLength(3);
      expect(during[0]).toMatch(/^strata-web-[^/]+\/$/);
      expect(during[1]).toMatch(/^strata-web-[^/]+\/upload-[^/]+\/$/);
      expect(during[2]).toMatch(/^strata-web-[^/]+\/upload-[^/]+\/demo\.tar$/);

      child.kill(signal);
      expect(await exited).toEqual({ code: 0, signal: null });
      expect(tree(tmp)).toEqual([]);
    },
  );
});

describe('strata web, with a SOURCE that cannot be read', () => {
  it('fails before it serves: one line naming the file, exit code 2, no URL', async () => {
    const child = spawn(process.execPath, ['bin/strata.js', 'web', '--port', '0', '/no/such.tar'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe('strata: /no/such.tar: no such file\n');
  });
});
