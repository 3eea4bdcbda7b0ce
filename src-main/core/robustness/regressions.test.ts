// Every input the fuzzer (`npm run fuzz`) ever saved stays a test: it must give a result or one
// clear StrataError, within a bound, never a crash.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StrataError } from '../errors';
import { loadImage } from '../image/load-image';
import { listLayer } from '../image/layer-view';

const DIR = 'fuzz/regressions';
const cases = readdirSync(DIR).filter((name) => name.endsWith('.tar'));

describe('fuzzer regressions', () => {
  it.skipIf(cases.length > 0)('none saved yet (the fuzzer has found nothing)', () => {});

  it.each(cases)('%s reads or fails cleanly', { timeout: 30_000 }, async (name) => {
    try {
      const model = await loadImage(join(DIR, name));
      try {
        listLayer(model, model.indexes.length - 1);
      } finally {
        await model.close();
      }
    } catch (err) {
      expect(err).toBeInstanceOf(StrataError);
    }
  });
});
