import { describe, expect, it } from 'vitest';
import { packTar } from '../tar/pack-tar';
import { HeaderFields, nameOf, readHeader } from '../tar/header';
import { fixChecksum } from '../testing/malformed-cases';
import { simplePath } from './entry-path';
import { PlainPath } from './plain-path';

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
    const plain = [
      'a',
      'a/',
      './a/b',
      '/a/b/',
      'a.b/.c/..d/...',
      'x.wh.y/z',
      '.whx',
      '.wh',
      'x'.repeat(100),
      `${'y'.repeat(98)}/`,
      long,
      `./${long}/`,
    ];
    const path = new PlainPath();
    for (const name of plain) {
      const { block, fields } = await headerOf(name);
      if (name.length > 100) expect(fields.posix && block[345]).toBeTruthy();
      expect(path.read(block, 0, fields.posix), name).toBe(true);
      expect(path.bytes.toString('latin1', path.from, path.to), name).toBe(
        simplePath(nameOf(block, 0, fields))!.slice(1),
      );
    }
  });

  it('is refused for the root, folded parts, whiteouts and names beyond ASCII', async () => {
    const refused = ['./', '/', './/', '//a', 'a//', 'a//b', 'a/./b', 'a/..', '../a', '.', '..'];
    const whiteouts = ['b/.wh.c', '.wh..wh..opq', '.wh..wh.plnk/x', 'd/.wh.e/f'];
    const beyondAscii = ['é', 'a/ü/b', Buffer.from([0x61, 0xff, 0x62])];
    const long = `${'d'.repeat(60)}/../${'f'.repeat(60)}/${'g'.repeat(40)}`;
    const path = new PlainPath();
    for (const name of [...refused, ...whiteouts, ...beyondAscii, long]) {
      const { block, fields } = await headerOf(name);
      expect(path.read(block, 0, fields.posix), name.toString()).toBe(false);
    }
  });
});
