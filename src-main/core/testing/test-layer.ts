// A layer index made from a few tar entries by name, for tests of what stacks and reads them.
import { LayerIndexBuilder, type RawLayerEntry } from '../layer/index-builder';
import type { LayerIndex } from '../layer/layer-index';

/** An entry's name, its typeflag (a directory for a name ending in `/`, else a file) and more. */
export type EntrySpec = [name: string, typeflag?: string, extra?: Partial<RawLayerEntry>];

export function testLayer(...specs: EntrySpec[]): LayerIndex {
  const builder = new LayerIndexBuilder('sha256:test', 'none', 'test layer');
  for (const [name, typeflag = name.endsWith('/') ? '5' : '0', extra] of specs) {
    builder.add({
      name,
      typeflag,
      size: 0,
      mode: 0o755,
      uid: 0,
      gid: 0,
      mtime: 0,
      linkname: '',
      dataOffset: 0,
      ...extra,
    });
  }
  return builder.finish();
}
