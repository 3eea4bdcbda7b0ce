// Turns raw tar entries of one layer into a LayerIndex: normalised paths, types, whiteouts.
import type { EntryType } from '../../api/model';
import { StrataError } from '../errors';
import { LIMITS } from '../limits';
import type { TarEntry } from '../tar/walk';
import { classifyWhiteout, normalizeEntryPath } from './entry-path';
import type { Compression, LayerEntry, LayerIndex } from './layer-index';

const TYPES: Record<string, EntryType> = {
  '0': 'file',
  '7': 'file',
  '1': 'hardlink',
  '2': 'symlink',
  '3': 'char',
  '4': 'block',
  '5': 'dir',
  '6': 'fifo',
};

export type RawLayerEntry = Omit<TarEntry, 'headerOffset'> & { digest?: string };

export class LayerIndexBuilder {
  private readonly byPath = new Map<string, LayerEntry>();
  private readonly whiteouts = new Set<string>();
  private readonly opaqueDirs = new Set<string>();
  private readonly notes: string[] = [];
  private count = 0;
  private size = 0;

  constructor(
    private readonly diffId: string,
    private readonly compression: Compression,
    /** Names the layer in errors: "layer 3 (sha256:…) of img.tar". */
    private readonly label: string,
  ) {}

  add(raw: RawLayerEntry): void {
    if (++this.count > LIMITS.entriesPerLayer) {
      throw new StrataError(
        'limit',
        `${this.label}: more than ${LIMITS.entriesPerLayer} entries in one layer`,
      );
    }
    const path = normalizeEntryPath(raw.name);
    if (path === 'escapes') {
      throw new StrataError(
        'bad-archive',
        `${this.label}: entry "${raw.name}" points outside the image root`,
      );
    }
    if (path === null) return; // the root directory itself: never listed
    if (path.length > LIMITS.pathBytes) {
      throw new StrataError(
        'limit',
        `${this.label}: a path of ${path.length} bytes is over the limit of ${LIMITS.pathBytes}`,
      );
    }
    const whiteout = classifyWhiteout(path);
    switch (whiteout.kind) {
      case 'whiteout':
        this.whiteouts.add(whiteout.target);
        return;
      case 'opaque':
        this.opaqueDirs.add(whiteout.dir);
        return;
      case 'meta':
        return;
      case 'invalid':
        this.note(`ignored the invalid whiteout "${raw.name}"`);
        return;
    }
    const type = TYPES[raw.typeflag];
    if (!type) {
      this.note(`ignored "${raw.name}" of unsupported tar type '${raw.typeflag}'`);
      return;
    }
    let linkTarget: string | null = null;
    if (type === 'symlink') linkTarget = raw.linkname;
    if (type === 'hardlink') {
      const target = normalizeEntryPath(raw.linkname);
      if (target === null || target === 'escapes') {
        throw new StrataError(
          'bad-archive',
          `${this.label}: hardlink "${raw.name}" points outside the image root`,
        );
      }
      linkTarget = target;
    }
    const entry: LayerEntry = {
      path,
      type,
      size: type === 'file' ? raw.size : 0,
      mode: raw.mode & 0o7777,
      uid: raw.uid,
      gid: raw.gid,
      mtime: raw.mtime,
      linkTarget,
      dataOffset: raw.dataOffset,
    };
    if (raw.digest) entry.digest = raw.digest;
    if (raw.xattrs) entry.xattrs = raw.xattrs;
    this.size += entry.size;
    this.byPath.delete(path); // a repeated path keeps its last position and attributes
    this.byPath.set(path, entry);
  }

  note(message: string): void {
    if (this.notes.length < 100) this.notes.push(message);
  }

  finish(): LayerIndex {
    return {
      diffId: this.diffId,
      compression: this.compression,
      entries: [...this.byPath.values()],
      whiteouts: [...this.whiteouts],
      opaqueDirs: [...this.opaqueDirs],
      size: this.size,
      notes: this.notes,
    };
  }
}
