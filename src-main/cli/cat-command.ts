import { StrataError } from '../core/errors';
import { checkLayer, treeAt } from '../core/image/layer-view';
import { copyFileTo, resolveFile } from '../core/image/read-file';
import { parseCommandArgs, SOURCE_OPTIONS } from './args';
import { parseLayerOption } from './layer-option';
import { openCliSource } from './source';
import { readerGone } from './write-out';

export async function runCat(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('cat', args, {
    ...SOURCE_OPTIONS,
    layer: { type: 'string' },
  });
  if (positionals.length !== 2)
    throw new StrataError('bad-request', 'cat: give a SOURCE and a PATH inside the image');
  const [source, path] = positionals as [string, string];
  const model = await openCliSource(source, {
    image: values.image,
    platform: values.platform,
    changes: 'none',
  });
  try {
    const layer = checkLayer(model, parseLayerOption(values.layer, 'cat'));
    const placed = resolveFile(treeAt(model, layer), path, `${source} (layer ${layer})`);
    await copyFileTo(model, placed, process.stdout).catch((err: NodeJS.ErrnoException) => {
      // The reader stopped reading (`strata cat ... | head`): what it wanted, it has.
      if (!readerGone(err.code)) throw err;
    });
  } finally {
    await model.close();
  }
  return 0;
}
