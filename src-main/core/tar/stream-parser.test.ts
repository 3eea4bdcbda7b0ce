import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileSource } from '../io/byte-source';
import { headerOnlyEntriesWithBodies } from '../testing/malformed-cases';
import { packTar } from './pack-tar';
import { TarStreamParser } from './stream-parser';
import { walkTar, type TarEntry } from './walk';

/** `reuse`: every chunk is copied into one buffer, written again for the next (as gunzip-file does). */
function parseInChunks(
  tar: Buffer,
  chunkSize: number,
  reuse = false,
): { entries: TarEntry[]; bodies: string[] } {
  const entries: TarEntry[] = [];
  const bodies: string[] = [];
  let body: Buffer[] = [];
  const parser = new TarStreamParser(
    {
      entry: (e) => {
        entries.push(e);
        body = [];
      },
      data: (_e, chunk) => body.push(Buffer.from(chunk)),
      entryEnd: () => bodies.push(Buffer.concat(body).toString()),
    },
    'test.tar',
  );
  const shared = Buffer.alloc(chunkSize);
  for (let at = 0; at < tar.length; at += chunkSize) {
    const chunk = tar.subarray(at, at + chunkSize);
    parser.push(reuse ? shared.subarray(0, chunk.copy(shared)) : chunk);
  }
  parser.end();
  return { entries, bodies };
}

describe('the streaming tar parser', () => {
  it('gives what the positioned walk gives, whatever the chunk size', async () => {
    const tar = await packTar([
      { name: `${'long/'.repeat(40)}file`, body: 'abc' },
      { name: 'dir/', type: 'directory' },
      { name: 'dir/big', body: Buffer.alloc(70_000, 1) },
      { name: 'dir/link', type: 'symlink', linkname: 'big' },
      { name: 'empty', body: '' },
    ]);
    const path = join(mkdtempSync(join(tmpdir(), 'strata-sp-')), 'a.tar');
    writeFileSync(path, tar);
    const source = await FileSource.open(path);
    const walked: TarEntry[] = [];
    for await (const e of walkTar(source)) walked.push(e);
    await source.close();
    for (const chunk of [1, 7, 512, 4096, 1 << 20]) {
      expect(parseInChunks(tar, chunk).entries).toEqual(walked);
      expect(parseInChunks(tar, chunk, true).entries, `${chunk} reused`).toEqual(walked);
    }
    expect(parseInChunks(tar, 100).bodies[0]).toBe('abc');
  });

  it('stays in step past a directory and a symlink that claim a size', async () => {
    const patched = await headerOnlyEntriesWithBodies();
    const { entries, bodies } = parseInChunks(patched, 333);
    expect(entries.map((e) => [e.name, e.size])).toEqual([
      ['d/', 600],
      ['d/l', 600],
      ['after', 2],
    ]);
    expect(bodies.at(-1)).toBe('ok');
  });

  it('fails with the entry name when the stream ends inside a body', async () => {
    const tar = await packTar([{ name: 'cut', body: Buffer.alloc(5000) }]);
    expect(() => parseInChunks(tar.subarray(0, 2000), 512)).toThrow(
      /test\.tar: truncated: the archive ends inside entry "cut"/,
    );
  });
});
