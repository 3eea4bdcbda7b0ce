import { describe, expect, it } from 'vitest';
import { LayerIndexBuilder, type RawLayerEntry } from './index-builder';
import { packIndex, unpackIndex } from './packed-index';

const raw = (name: string, typeflag = '0', linkname = '') => ({
  name,
  typeflag,
  size: typeflag === '0' ? 4 : 0,
  mode: 0o104755,
  uid: 0,
  gid: 0,
  mtime: 0,
  linkname,
  dataOffset: 0,
});

describe('indexing one layer', () => {
  it('normalises names, keeps setuid bits, makes hardlink targets absolute', () => {
    const b = new LayerIndexBuilder('sha256:x', 'none', 'L');
    b.add(raw('./usr//bin/su'));
    b.add(raw('usr/bin/su2', '1', './usr/bin/su'));
    const index = b.finish();
    expect(index.entries.map((e) => [e.path, e.mode.toString(8), e.linkTarget])).toEqual([
      ['/usr/bin/su', '4755', null],
      ['/usr/bin/su2', '4755', '/usr/bin/su'],
    ]);
    expect(index.size).toBe(4);
  });

  it('separates whiteouts and opaque markers from entries', () => {
    const b = new LayerIndexBuilder('sha256:x', 'none', 'L');
    b.add(raw('etc/.wh.passwd'));
    b.add(raw('var/.wh..wh..opq'));
    b.add(raw('.wh..wh.plnk/123'));
    const index = b.finish();
    expect(index.entries).toEqual([]);
    expect(index.whiteouts).toEqual(['/etc/passwd']);
    expect(index.opaqueDirs).toEqual(['/var']);
  });

  it('clamps names that climb above the root, and says so', () => {
    const b = new LayerIndexBuilder('sha256:x', 'none', 'L');
    b.add(raw('../etc/passwd'));
    b.add(raw('a/../../x'));
    const index = b.finish();
    expect(index.entries.map((e) => e.path)).toEqual(['/etc/passwd', '/x']);
    expect(index.notes).toEqual([
      'the entry "../etc/passwd" climbs above the root; read as /etc/passwd',
      'the entry "a/../../x" climbs above the root; read as /x',
    ]);
  });

  it('keeps unknown types as "other" and flags sparse files', () => {
    const b = new LayerIndexBuilder('sha256:x', 'none', 'L');
    b.add(raw('weird', 'Z'));
    b.add(raw('sparse', 'S'));
    const index = b.finish();
    expect(index.entries.map((e) => [e.path, e.type])).toEqual([
      ['/weird', 'other'],
      ['/sparse', 'file'],
    ]);
    expect(index.notes).toHaveLength(2);
  });

  it('hides eStargz metadata in gzip layers only', () => {
    for (const compression of ['gzip', 'none'] as const) {
      const b = new LayerIndexBuilder('sha256:x', compression, 'L');
      for (const name of [
        'stargz.index.json',
        '.prefetch.landmark',
        '.no.prefetch.landmark',
        'etc/stargz.index.json',
      ])
        b.add(raw(name));
      expect(b.finish().entries).toHaveLength(compression === 'gzip' ? 1 : 4);
    }
  });

  it('counts the bytes of a path written twice in one layer, and keeps the last', () => {
    const b = new LayerIndexBuilder('sha256:x', 'none', 'L');
    b.add(raw('a'));
    b.add({ ...raw('a'), mode: 0o600 });
    const index = b.finish();
    expect(index.entries).toHaveLength(1);
    expect(index.entries[0]!.mode).toBe(0o600);
    expect(index.size).toBe(8);
  });

  it('indexes each layer on its own, one after another', () => {
    const first = new LayerIndexBuilder('sha256:x', 'none', 'L');
    for (const name of ['x', 'y', 'y']) first.add(raw(name));
    expect(first.finish().entries.map((e) => e.path)).toEqual(['/x', '/y']);
    const second = new LayerIndexBuilder('sha256:y', 'none', 'L');
    for (const name of ['y', 'z']) second.add(raw(name));
    expect(second.finish().entries.map((e) => e.path)).toEqual(['/y', '/z']);
  });

  it('writes the packed form as entries come, as packing its entry objects gives it', () => {
    // Past the packed writer's first room (1024 entries), with paths written again (their links,
    // digests and attributes dropped with them), links, digests, extended attributes and sizes
    // over 32 bits.
    const entries: RawLayerEntry[] = [];
    for (let i = 0; i < 3000; i++) {
      const kind = i % 7;
      const entry: RawLayerEntry = {
        ...raw(`d${(i % 2500) % 13}/f${i % 2500}`, kind === 1 ? '2' : kind === 2 ? '1' : '0'),
        linkname: kind === 1 ? `../t${i}` : kind === 2 ? `d0/f${i % 50}` : '',
        size: kind === 3 ? 2 ** 33 + i : i,
        mtime: 1.7e9 + i,
        dataOffset: 512 * i,
      };
      if (kind === 0 || kind === 3) entry.sha256 = String.fromCharCode(i % 256).repeat(32);
      if (i % 97 === 0) entry.xattrs = { 'user.n': Buffer.from(String(i)) };
      entries.push(entry);
    }
    entries.push(raw('d0/.wh.gone'), raw('d1/.wh..wh..opq'), raw('./d2/.'));
    const objects = new LayerIndexBuilder('sha256:x', 'gzip', 'L');
    const packed = new LayerIndexBuilder('sha256:x', 'gzip', 'L', true);
    for (const entry of entries) {
      objects.add({ ...entry }, 0);
      packed.add({ ...entry }, 0);
    }
    const index = objects.finish();
    expect(index.entries.length).toBe(2500 + 1);
    const form = packed.finishPacked();
    expect(form).toEqual(packIndex(index));
    expect(unpackIndex(form)).toEqual(index);
    expect(() => packed.finish()).toThrow();
    expect(() => objects.finishPacked()).toThrow();
  });
});
