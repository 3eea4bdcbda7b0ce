import { describe, expect, it } from 'vitest';
import { LayerIndexBuilder } from './index-builder';

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
});
