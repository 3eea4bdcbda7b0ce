import { describe, expect, it } from 'vitest';
import { packTar } from '../tar/pack-tar';
import { HeaderFields, nameOf, readHeader } from '../tar/header';
import { fixChecksum } from '../testing/malformed-cases';
import { simplePath } from './entry-path';
import { PLAIN_PATH_BYTES, plainPath } from './plain-path';

/**
 * The header of a directory named `name`: a long one split by ustar, a short one written into the
 * header's name field as its bytes (tar-stream would give a name beyond ASCII a PAX record).
 */
async function headerOf(name: string | Buffer): Promise<{ block: Buffer; fields: HeaderFields }> {
  const bytes = Buffer.from(name);
  const short = bytes.length <= 100;
  const block = await packTar([
    { name: short ? 'n'.repeat(bytes.length) : name.toString(), type: 'directory' },
  ]);
  if (short) {
    bytes.copy(block, 0);
    fixChecksum(block, 0);
  }
  const fields = new HeaderFields();
  expect(readHeader(block, 0, fields)).toBe('header');
  return { block, fields };
}

describe("a header's plain name read as bytes", () => {
  it('is the path simplePath makes of it, without its slash, for ASCII names of plain parts', async () => {
    const long = `${'d'.repeat(60)}/${'e'.repeat(60)}/${'f'.repeat(40)}`;
    const plain = ['a', 'a/', './a/b', '/a/b/', 'a.b/.c/..d/...', 'x.wh.y/z', '.whx', long];
    const out = Buffer.alloc(PLAIN_PATH_BYTES);
    for (const name of plain) {
      const { block, fields } = await headerOf(name);
      if (name === long) expect(fields.posix && block[345]).toBeTruthy();
      const length = plainPath(block, 0, fields.posix, out);
      expect(out.toString('latin1', 0, length), name).toBe(
        simplePath(nameOf(block, 0, fields))!.slice(1),
      );
    }
  });

  it('is refused for the root, folded parts, whiteouts and names beyond ASCII', async () => {
    const refused = ['./', '/', 'a//b', 'a/./b', 'a/..', '../a', '.', 'b/.wh.c', '.wh..wh..opq'];
    const out = Buffer.alloc(PLAIN_PATH_BYTES);
    const beyondAscii = ['é', 'a/ü/b', Buffer.from([0x61, 0xff, 0x62])];
    for (const name of [...refused, ...beyondAscii, '.wh..wh.plnk/x']) {
      const { block, fields } = await headerOf(name);
      expect(plainPath(block, 0, fields.posix, out), name.toString()).toBe(-1);
    }
  });
});
