// `strata web` for the engine specs: started with its own environment (DOCKER_HOST, a HOME of
// its own, an export cache of its own), stopped after each test.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { STRATA_BIN } from '../layer-expectations';

export interface StrataWeb {
  url: string;
  stop(): Promise<void>;
}

export async function startStrataWeb(
  env: NodeJS.ProcessEnv,
  sources: string[] = [],
): Promise<StrataWeb> {
  const child: ChildProcess = spawn(
    process.execPath,
    [STRATA_BIN, 'web', '--port', '0', ...sources],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env,
    },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const firstLine = new Promise<string>((resolve) =>
    createInterface({ input: child.stdout! }).once('line', resolve),
  );
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
  return {
    url,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
