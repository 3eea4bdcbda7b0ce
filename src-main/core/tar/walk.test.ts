import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileSource } from '../io/byte-source';
import { packTar } from './pack-tar';
import { walkTar, type TarEntry } from './walk';

const dir = mkdtempSync(join(tmpdir(), 'strata-walk-'));
let n = 0;
const sources: FileSource[] = [];
afterAll(async () => Promise.all(sources.map((s) => s.close())));

async function walk(bytes: Buffer): Promise<TarEntry[]> {
  const path = join(dir, `t${n++}.tar`);
  writeFileSync(path, bytes);
  const source = await FileSource.open(path);
  sources.push(source);
  const out: TarEntry[] = [];
  for await (const e of walkTar(source)) out.push(e);
  return out;
}

/** A raw header block, for what tar-stream's writer never produces. */
function header(
  name: string,
  typeflag: string,
  size: number,
  opts: { base256?: boolean; magic?: string } = {},
): Buffer {
  const b = Buffer.alloc(512);
  b.write(name.slice(0, 100), 0, 'utf8');
  b.write('0000644\0', 100);
  b.write('0000000\0', 108);
  b.write('0000000\0', 116);
  if (opts.base256) {
    b[124] = 0x80;
    b.writeUIntBE(size, 124 + 12 - 6, 6);
  } else b.write(size.toString(8).padStart(11, '0') + '\0', 124);
  b.write('00000000000\0', 136);
  b.write(typeflag, 156);
  b.write(opts.magic ?? 'ustar\x0000', 257, 'latin1');
  b.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of b) sum += byte;
  b.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
  return b;
}
const pad = (data: Buffer): Buffer =>
  Buffer.concat([data, Buffer.alloc((512 - (data.length % 512)) % 512)]);
const END = Buffer.alloc(1024);

describe('walking tar headers', () => {
  it('reads names, sizes and data offsets, skipping bodies', async () => {
    const tar = await packTar([
      { name: 'a/', type: 'directory' },
      { name: 'a/hello.txt', body: 'hello' },
      { name: 'a/link', type: 'symlink', linkname: 'hello.txt' },
    ]);
    const entries = await walk(tar);
    expect(entries.map((e) => [e.name, e.typeflag, e.size, e.linkname])).toEqual([
      ['a/', '5', 0, ''],
      ['a/hello.txt', '0', 5, ''],
      ['a/link', '2', 0, 'hello.txt'],
    ]);
    const file = entries[1]!;
    expect(tar.toString('utf8', file.dataOffset, file.dataOffset + 5)).toBe('hello');
  });

  it('applies PAX path records and long ustar prefixes', async () => {
    const long = `${'d'.repeat(120)}/${'f'.repeat(150)}`;
    const mid = `${'p'.repeat(120)}/name`;
    const entries = await walk(
      await packTar([
        { name: long, body: 'x' },
        { name: mid, body: 'y' },
      ]),
    );
    expect(entries.map((e) => e.name)).toEqual([long, mid]);
  });

  it('applies GNU long names and base-256 sizes', async () => {
    const name = 'n'.repeat(300);
    const longName = Buffer.from(name + '\0');
    const tar = Buffer.concat([
      header('././@LongLink', 'L', longName.length, { magic: 'ustar  \0' }),
      pad(longName),
      header('short', '0', 3, { base256: true, magic: 'ustar  \0' }),
      pad(Buffer.from('abc')),
      END,
    ]);
    const entries = await walk(tar);
    expect(entries).toHaveLength(1);
    expect(entries[0]!.name).toBe(name);
    expect(entries[0]!.size).toBe(3);
  });

  it('keeps binary xattr values as bytes', async () => {
    const value = Buffer.from([0x01, 0x00, 0x00, 0x02, 0xff, 0xfe]);
    const key = Buffer.from(' SCHILY.xattr.security.capability=');
    const body = Buffer.concat([key, value, Buffer.from('\n')]);
    const len = body.length + String(body.length + 2).length;
    const record = Buffer.concat([Buffer.from(String(len)), body]);
    const tar = Buffer.concat([
      header('PaxHeader', 'x', record.length),
      pad(record),
      header('bin/ping', '0', 0),
      END,
    ]);
    const [entry] = await walk(tar);
    expect(entry!.xattrs?.['security.capability']).toEqual(value);
  });

  it('names a bad checksum and its offset', async () => {
    const tar = await packTar([
      { name: 'a', body: 'x' },
      { name: 'b', body: 'y' },
    ]);
    tar[1034] = tar[1034]! ^ 0xff;
    await expect(walk(tar)).rejects.toThrow(
      /invalid tar header: bad header checksum \(at byte 1024\)/,
    );
  });

  it('reports truncation inside a body and inside a header', async () => {
    const tar = await packTar([{ name: 'a', body: Buffer.alloc(2000) }]);
    await expect(walk(tar.subarray(0, 1500))).rejects.toThrow(
      /truncated: entry "a" needs 2000 bytes/,
    );
    await expect(walk(tar.subarray(0, 300))).rejects.toThrow(/truncated/);
  });

  it('stops at the end marker and ignores what follows it', async () => {
    const tar = Buffer.concat([
      await packTar([{ name: 'a', body: 'x' }]),
      Buffer.from('garbage after the end'),
    ]);
    expect((await walk(tar)).map((e) => e.name)).toEqual(['a']);
  });

  it('refuses an extended header over the limit', async () => {
    const tar = Buffer.concat([
      header('PaxHeader', 'x', 2 * 1024 * 1024),
      Buffer.alloc(2 * 1024 * 1024),
      END,
    ]);
    await expect(walk(tar)).rejects.toThrow(/over the limit/);
  });
});
