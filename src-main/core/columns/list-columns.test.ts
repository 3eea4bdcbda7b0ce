import { describe, expect, it } from 'vitest';
import { fixturePaths } from '../../../e2e/fixtures';
import { StrataError } from '../errors';
import { listLayer } from '../image/layer-view';
import { loadImage } from '../image/load-image';
import { listColumns } from './list-columns';
import { loadColumns } from './load-columns';

describe('ls on interned paths', () => {
  it('lists every layer of every fixture as the image model does, whole or its changes only', async () => {
    const { fixtures } = fixturePaths();
    let listed = 0;
    for (const [name, forms] of Object.entries(fixtures)) {
      for (const form of ['archive', 'ociGzip'] as const) {
        const path = forms[form];
        const model = await loadImage(path, { store: null });
        try {
          for (let layer = 0; layer < model.indexes.length; layer++) {
            const image = await loadColumns(path, { store: null, listing: layer });
            try {
              for (const onlyChanges of [false, true]) {
                const expected = listLayer(model, layer, onlyChanges);
                expect(
                  listColumns(image, onlyChanges),
                  `${name} ${form} ${layer} ${onlyChanges}`,
                ).toEqual(expected);
                listed += expected.length;
              }
            } finally {
              await image.close();
            }
          }
        } finally {
          await model.close();
        }
      }
    }
    expect(listed).toBeGreaterThan(1000);
  });

  it('refuses a layer the image does not have, naming the layers it has', async () => {
    const path = fixturePaths().fixtures.basic.archive;
    const refused = loadColumns(path, { store: null, listing: 99 });
    await expect(refused).rejects.toThrow(StrataError);
    await expect(refused).rejects.toThrow(/: there is no layer 99; the image has layers 0 to \d+$/);
  });
});
