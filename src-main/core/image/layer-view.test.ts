import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoArchivePath } from '../demo/demo-archive';
import { packTar } from '../tar/pack-tar';
import { withLayers } from '../testing/malformed-cases';
import { loadImage, type ImageModel } from './load-image';
import { stateAsOf, treeAt } from './layer-view';

const models: ImageModel[] = [];
beforeAll(async () => {
  const dir = (name: string, mode = 0o755) => ({ name, type: 'directory' as const, mode });
  const layers = [
    [dir('a/'), { name: 'a/f', body: 'f' }, dir('b/'), { name: 'b/x', body: 'x' }],
    [dir('a/', 0o700), { name: 'a/f', body: 'f2' }],
    [{ name: '.wh.a', body: '' }, dir('b/', 0o750)],
    [dir('a/'), { name: 'a/g', body: 'g' }, { name: 'b/.wh..wh..opq', body: '' }],
    [dir('a/', 0o711), { name: 'b', body: 'b is a file now' }],
    [{ name: 'c/d/e', body: 'implicit parents' }],
  ];
  const crafted = await withLayers(await Promise.all(layers.map((items) => packTar(items))));
  models.push(await loadImage(crafted, { store: null }));
  models.push(await loadImage(await demoArchivePath(), { store: null }));
});
afterAll(() => Promise.all(models.map((m) => m.close())));

describe('stateAsOf', () => {
  it('is the tree as of the layer, for every path of every layer, whatever came later', () => {
    for (const model of models) {
      const paths = new Set<string>(['/']);
      for (const index of model.indexes) {
        for (const entry of index.entries) {
          for (let at = entry.path.indexOf('/', 1); at > 0; at = entry.path.indexOf('/', at + 1))
            paths.add(entry.path.slice(0, at));
          paths.add(entry.path);
        }
        for (const target of index.whiteouts) paths.add(target);
      }
      for (let layer = 0; layer < model.indexes.length; layer++) {
        const tree = treeAt(model, layer);
        for (const path of paths) {
          const expected = tree.get(path)?.placed;
          const state = stateAsOf(model, layer, path);
          expect({ path, layer, entry: state?.entry, from: state?.layer }).toEqual({
            path,
            layer,
            entry: expected?.entry,
            from: expected?.layer,
          });
        }
      }
    }
  });
});
