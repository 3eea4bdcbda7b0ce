import { describe, expect, it } from 'vitest';
import { LayerIndexBuilder } from '../layer/index-builder';
import { MergedTree } from '../tree/merged-tree';
import { resolveFile } from './read-file';

function tree(...entries: [string, string, string?][]): MergedTree {
  const b = new LayerIndexBuilder('sha256:t', 'none', 'L');
  for (const [name, typeflag, linkname = ''] of entries) {
    b.add({
      name,
      typeflag,
      size: typeflag === '0' ? 1 : 0,
      mode: 0o644,
      uid: 0,
      gid: 0,
      mtime: 0,
      linkname,
      dataOffset: 0,
    });
  }
  const t = new MergedTree();
  t.apply(b.finish(), 0);
  return t;
}

describe('following links inside the image', () => {
  const t = tree(
    ['srv/app.conf', '0'],
    ['srv/links/relative', '2', '../app.conf'],
    ['srv/links/escape', '2', '../../../../srv/app.conf'],
    ['srv/links/dir', '2', '/srv'],
    ['srv/links/loop', '2', 'loop'],
    ['srv/links/hard', '1', 'srv/app.conf'],
  );

  it('resolves .. inside the root, never above it', () => {
    expect(resolveFile(t, '/srv/links/relative', 'img').entry.path).toBe('/srv/app.conf');
    expect(resolveFile(t, '/srv/links/escape', 'img').entry.path).toBe('/srv/app.conf');
    expect(resolveFile(t, '/srv/links/../app.conf', 'img').entry.path).toBe('/srv/app.conf');
  });

  it('follows a link in the middle of a path and hardlinks to their target', () => {
    expect(resolveFile(t, '/srv/links/dir/links/relative', 'img').entry.path).toBe('/srv/app.conf');
    expect(resolveFile(t, '/srv/links/hard', 'img').entry.path).toBe('/srv/app.conf');
  });

  it('stops a loop with a clear error', () => {
    expect(() => resolveFile(t, '/srv/links/loop', 'img')).toThrow(/too many levels of links/);
  });
});
