#!/usr/bin/env node
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = new URL('../out/main/cli.js', import.meta.url);
if (!existsSync(fileURLToPath(cli))) {
  process.stderr.write(
    'strata: the CLI is not built yet. Run `npm run build` in the Strata folder first.\n',
  );
  process.exit(2);
}
await import(cli.href);
