import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StrataService } from '../core/service';
import { describeError, StrataError } from '../core/errors';
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
  await openSources(service, positionals);
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

/**
 * Opens the SOURCEs in order before serving, but each only until the image is described (an
 * archive's manifest and config, an engine's inspect and history): a missing or unreadable
 * archive, or an image the engine does not have, still fails the command at once, while the
 * layers are read (or exported) with the page served, which shows the image opening. The SOURCEs
 * after it open after it; a failure from then on is said on stderr and in the page.
 */
async function openSources(service: StrataService, sources: string[]): Promise<void> {
  for (const [i, source] of sources.entries()) {
    let shown!: () => void;
    const preview = new Promise<void>((resolve) => (shown = resolve));
    const opening = service.openUnasked(source, shown);
    const ended = opening.then(() => 'opened' as const);
    ended.catch(() => {}); // once shown, its end is told instead
    const first = await Promise.race([ended, preview.then(() => 'shown' as const)]);
    if (first === 'shown') {
      void openRest(service, opening, sources.slice(i + 1));
      return;
    }
  }
}

/** The pages are told by the service how each open ended; a failure is said on stderr too. */
async function openRest(
  service: StrataService,
  opening: Promise<unknown>,
  rest: string[],
): Promise<void> {
  const sayFailure = (err: unknown): void => {
    process.stderr.write(`strata: ${describeError(err).message}\n`);
  };
  await opening.catch(sayFailure);
  for (const source of rest) await service.openUnasked(source).catch(sayFailure);
}
