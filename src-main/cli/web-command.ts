import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StrataService } from '../core/service';
import { StrataError } from '../core/errors';
import { startWebServer } from '../web/server';
import { parseCommandArgs } from './args';

/** The built renderer (out/renderer), found upward from this bundle, which may sit in out/main/chunks/. */
function rendererDir(): string {
  let dir = fileURLToPath(new URL('.', import.meta.url));
  for (let up = 0; up < 4; up++) {
    const candidate = join(dir, 'renderer');
    if (existsSync(join(candidate, 'index.html'))) return candidate;
    dir = dirname(dir);
  }
  throw new StrataError(
    'not-found',
    'web: the UI is not built (no out/renderer/index.html); run npm run build',
  );
}

export async function runWeb(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('web', args, {
    port: { type: 'string', default: '0' },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new StrataError(
      'bad-request',
      `web: --port must be a number from 0 to 65535, not "${values.port}"`,
    );
  }
  const renderer = rendererDir();
  const service = new StrataService();
  for (const source of positionals) await service.openSource(source);
  const server = await startWebServer({ service, port, rendererDir: renderer });
  process.stdout.write(`${server.url}\n`);
  process.stderr.write('Strata is serving on 127.0.0.1 only. Press Ctrl+C to stop.\n');
  await new Promise<void>((resolve) => {
    const stop = (): void => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await server.close();
  await service.dispose();
  return 0;
}
