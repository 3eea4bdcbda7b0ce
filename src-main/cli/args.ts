import { parseArgs, type ParseArgsConfig } from 'node:util';
import { StrataError } from '../core/errors';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Parses a subcommand's options; a bad option becomes one clear error line. */
export function parseCommandArgs<T extends Options>(command: string, args: string[], options: T) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new StrataError(
      'bad-request',
      `${command}: ${(err as Error).message} (try: strata --help)`,
    );
  }
}

export const SOURCE_OPTIONS = {
  image: { type: 'string' },
  platform: { type: 'string' },
} as const satisfies Options;
