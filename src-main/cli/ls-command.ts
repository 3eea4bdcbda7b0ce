import type { EntryType } from '../api/model';
import { StrataError } from '../core/errors';
import { checkLayer, listLayer, type ListedEntry } from '../core/image/layer-view';
import { listColumns } from '../core/columns/list-columns';
import { loadColumns } from '../core/columns/load-columns';
import { parseSource } from '../core/source/source-spec';
import { parseCommandArgs, SOURCE_OPTIONS } from './args';
import { parseLayerOption } from './layer-option';
import { openCliSource, type SourceChoice } from './source';
import { writeJsonArray, writeOut, writeTable } from './write-out';

export async function runLs(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('ls', args, {
    ...SOURCE_OPTIONS,
    layer: { type: 'string' },
    changes: { type: 'boolean' },
    json: { type: 'boolean' },
  });
  if (positionals.length !== 1)
    throw new StrataError(
      'bad-request',
      'ls: give exactly one SOURCE (an image archive path, docker://REF or podman://REF)',
    );
  const asked = parseLayerOption(values.layer, 'ls');
  const entries = await listCliSource(positionals[0]!, {
    image: values.image,
    platform: values.platform,
    layer: asked,
    onlyChanges: values.changes ?? false,
  });
  if (values.json) writeJsonArray(entries);
  else writeList(entries);
  if (values.json || entries.length) writeOut('\n');
  return 0;
}

const TYPE_CHAR: Record<EntryType, string> = {
  file: '-',
  dir: 'd',
  symlink: 'l',
  hardlink: 'h',
  char: 'c',
  block: 'b',
  fifo: 'p',
  other: '?',
};
const CHANGE_MARK = { added: '+', modified: '~', removed: '-', unchanged: ' ' } as const;

/** `-rwsr-xr-x` from a type and permission bits. */
export function modeString(type: EntryType, mode: number): string {
  const bit = (mask: number, c: string): string => (mode & mask ? c : '-');
  const special = (exec: number, flag: number, set: string, unset: string): string =>
    mode & flag ? (mode & exec ? set : unset) : bit(exec, 'x');
  return (
    TYPE_CHAR[type] +
    bit(0o400, 'r') +
    bit(0o200, 'w') +
    special(0o100, 0o4000, 's', 'S') +
    bit(0o040, 'r') +
    bit(0o020, 'w') +
    special(0o010, 0o2000, 's', 'S') +
    bit(0o004, 'r') +
    bit(0o002, 'w') +
    special(0o001, 0o1000, 't', 'T')
  );
}

function writeList(entries: ListedEntry[]): void {
  writeTable(
    entries.length,
    (i) => {
      const e = entries[i]!;
      return [
        CHANGE_MARK[e.change],
        modeString(e.type, e.mode),
        `${e.uid}:${e.gid}`,
        String(e.size),
        e.linkTarget ? `${e.path} -> ${e.linkTarget}` : e.path,
      ];
    },
    [3],
  );
}

/**
 * `strata ls`: SOURCE's file system as of `layer` (the last when not given), or only what that
 * layer changed. An archive is read into the model on interned paths, up to that layer.
 */
async function listCliSource(
  text: string,
  choice: SourceChoice & { layer: number | undefined; onlyChanges: boolean },
): Promise<ListedEntry[]> {
  const spec = parseSource(text);
  if (spec.kind === 'path') {
    const image = await loadColumns(spec.path, {
      image: choice.image,
      platform: choice.platform,
      listing: choice.layer ?? 'final',
    });
    try {
      return listColumns(image, choice.onlyChanges);
    } finally {
      await image.close();
    }
  }
  const model = await openCliSource(text, {
    ...choice,
    changes: choice.layer ?? 'final', // the listed layer's changes only
  });
  try {
    return listLayer(model, checkLayer(model, choice.layer), choice.onlyChanges);
  } finally {
    await model.close();
  }
}
