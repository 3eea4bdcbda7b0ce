import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { StrataService } from '../core/service';
import { StrataError } from '../core/errors';
import { startWebServer } from '../web/server';
import { parseCommandArgs } from './args';

/** The built renderer, next to this file once bundled as out/main/cli.js. */
const RENDERER_DIR = fileURLToPath(new URL('../renderer', import.meta.url));

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
  if (!existsSync(`${RENDERER_DIR}/index.html`)) {
    throw new StrataError(
      'not-found',
      `web: the UI is not built (${RENDERER_DIR} is missing); run npm run build`,
    );
  }
  const service = new StrataService();
  for (const source of positionals) await service.open(source);
  const server = await startWebServer({ service, port, rendererDir: RENDERER_DIR });
  process.stdout.write(`${server.url}\n`);
  process.stderr.write('Strata is serving on 127.0.0.1 only. Press Ctrl+C to stop.\n');
  await new Promise<void>((resolve) => {
    const stop = (): void => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await server.close();
  await service.closeAll();
  return 0;
}
