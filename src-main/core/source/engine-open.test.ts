// An engine open against a real unix socket that sends a real archive and then keeps its answer
// open, as an engine does while it cleans up after an export (what a healthy engine cannot be
// made to do for long on demand): the open goes on once the tar's end marker has come.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fixturePaths } from '../../../e2e/fixtures';
import { removeTempDirs, tempDir } from '../../../e2e/engine/temp-dirs';
import { openArchive } from '../archive/open-archive';
import { resolveImage } from '../archive/resolve-image';
import { LayerIndexCache } from '../layer/index-cache';
import { socketEngine } from '../testing/socket-engine';
import { EngineClient } from './engine-client';
import { openEngineImage } from './engine-open';
import { ExportCache } from './export-cache';

afterAll(removeTempDirs);

const answer = (type: string, body: Buffer | string, framing: string) =>
  `HTTP/1.1 200 OK\r\nContent-Type: ${type}\r\nConnection: close\r\n${framing}\r\n\r\n${body}`;

describe('an engine open', () => {
  it('goes on at the end of the tar while the engine has not ended its answer', async () => {
    const path = fixturePaths().fixtures.basic.archive;
    const archive = await openArchive(path);
    const image = await resolveImage(archive).finally(() => archive.close());
    const bytes = readFileSync(path);
    const inspect = JSON.stringify({
      Id: image.id,
      RepoTags: ['strata-test/held:1'],
      Os: 'linux',
      Architecture: 'amd64',
      Size: bytes.length,
      RootFS: { Type: 'layers', Layers: image.layers.map((layer) => layer.diffId) },
    });
    const engine = await socketEngine((socket, line) => {
      if (line.includes('/images/get')) {
        // The archive in one chunk, and never the chunk that ends the answer.
        socket.write(
          'HTTP/1.1 200 OK\r\nContent-Type: application/x-tar\r\nTransfer-Encoding: chunked\r\n\r\n',
        );
        socket.write(`${bytes.length.toString(16)}\r\n`);
        socket.write(bytes);
        socket.write('\r\n');
      } else if (line.includes('/history')) {
        socket.end(answer('application/json', '[]', 'Content-Length: 2'));
      } else {
        socket.end(answer('application/json', inspect, `Content-Length: ${inspect.length}`));
      }
    });
    try {
      const exportCache = new ExportCache(join(tempDir('strata-ec-'), 'exports'));
      const started = Date.now();
      const { model, cached } = await openEngineImage(
        new EngineClient(engine.endpoint, { env: {} }),
        'strata-test/held:1',
        { layerCache: new LayerIndexCache(), exportCache },
      );
      try {
        expect(Date.now() - started).toBeLessThan(10_000); // the engine would hold it 120 s
        expect(cached).toBe(false);
        expect(model.resolved.id).toBe(image.id);
        expect(model.indexes.map((index) => index.diffId)).toEqual(
          image.layers.map((layer) => layer.diffId),
        );
        expect((await exportCache.info()).images).toBe(1);
      } finally {
        await model.close();
      }
    } finally {
      await engine.close();
    }
  }, 30_000);
});
