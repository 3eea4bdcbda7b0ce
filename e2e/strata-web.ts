// Starts `strata web --port 0 [SOURCE...]` for a spec and reads the URL from its first stdout
// line (the same way web.spec.ts does).
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { expect } from '@playwright/test';
import { STRATA_BIN } from './layer-expectations';

export interface StrataWeb {
  url: string;
  stop(): Promise<void>;
}

export async function startStrataWeb(sources: string[] = []): Promise<StrataWeb> {
  const child: ChildProcess = spawn(
    process.execPath,
    [STRATA_BIN, 'web', '--port', '0', ...sources],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const lines = createInterface({ input: child.stdout! });
  const firstLine = new Promise<string>((resolve) => lines.once('line', resolve));
  let timer: NodeJS.Timeout | undefined;
  const url = await Promise.race([
    firstLine,
    exited.then((code) => {
      throw new Error(`strata web exited with ${code} before printing its URL:\n${stderr}`);
    }),
    new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`strata web printed no URL in 60 s:\n${stderr}`)),
        60_000,
      );
    }),
  ]).finally(() => clearTimeout(timer));
  expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{43}$/);
  return {
    url,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
