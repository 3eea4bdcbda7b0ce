import { StrataError } from '../core/errors';

export function parseLayerOption(value: string | undefined, command: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value))
    throw new StrataError(
      'bad-request',
      `${command}: --layer takes a layer number (0 is the base), not "${value}"`,
    );
  return Number(value);
}
