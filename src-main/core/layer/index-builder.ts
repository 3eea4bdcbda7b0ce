// Turns raw tar entries of one layer into a LayerIndex: normalised paths, types, whiteouts.
import type { EntryType } from '../../api/model';
import type { ContentScan } from '../analysis/content-scan';
import { StrataError } from '../errors';
import { LIMITS, overLimit } from '../limits';
import type { TarEntry } from '../tar/walk';
import { clampEntryPath, classifyWhiteout, simplePath } from './entry-path';
import type { Compression, LayerEntry, LayerIndex } from './layer-index';
import { PackedEntries, TYPE_CODE, type PackedIndex } from './packed-index';
import { PlainPath } from './plain-path';
import { BLOCK, linkNameOf } from '../tar/header';
import type { PlainEntries } from '../tar/entry-decoder';
import { PathPositions } from './path-positions';
import type { LayerColumns, LayerColumnsWriter } from '../columns/layer-columns';

const TYPES: Record<string, EntryType> = {
  '0': 'file',
  '7': 'file',
  '1': 'hardlink',
  '2': 'symlink',
  '3': 'char',
  '4': 'block',
  '5': 'dir',
  '6': 'fifo',
  S: 'file',
};

/** eStargz's table of contents and prefetch landmarks: layer metadata, not files of the image. */
const ESTARGZ_METADATA = new Set([
  '/stargz.index.json',
  '/.prefetch.landmark',
  '/.no.prefetch.landmark',
]);

/**
 * The columns' type codes by typeflag byte (-1: none) for the types add() takes without a note;
 * hardlinks are not among them (their targets are normalised as strings). NUL is an old file.
 */
const PLAIN_TYPE_CODES = new Int8Array(256).fill(-1);
for (const [flag, type] of [...Object.entries(TYPES), ['\0', 'file'] as const]) {
  if (flag !== 'S' && type !== 'hardlink')
    PLAIN_TYPE_CODES[flag.charCodeAt(0)] = TYPE_CODE.get(type)!;
}
const FILE_CODE = TYPE_CODE.get('file')!;
const SYMLINK_CODE = TYPE_CODE.get('symlink')!;

/** What a plain layer's reader is told of a file whose bytes it has at hand (`bodies`). */
export type FileBodies = (
  node: number,
  block: Buffer,
  from: number,
  size: number,
  dataOffset: number,
) => void;

/** Tables of finished layers, for the next ones: up to 8 MB each. */
const spareTables: PathPositions[] = [];
const MAX_SPARE_SLOTS = 1 << 20;

export type RawLayerEntry = Omit<TarEntry, 'headerOffset'> & { sha256?: string };

/** The path an entry named `name` is indexed at (null: the root itself), as add() finds it. */
export function indexedPath(name: string): string | null {
  return simplePath(name) ?? clampEntryPath(name).path;
}

export class LayerIndexBuilder {
  /** In the order of their last writes; null where a path was written again later. */
  private readonly entries: (LayerEntry | null)[] = [];
  /** For a builder made to finish packed, the packed form, written instead as entries come. */
  private readonly packed: PackedEntries | null;
  private readonly positions = spareTables.pop() ?? new PathPositions();
  private rewritten = 0;
  private readonly whiteouts = new Set<string>();
  private readonly opaqueDirs = new Set<string>();
  private readonly notes: string[] = [];
  private count = 0;
  private size = 0;
  private scans: Map<string, ContentScan> | null = null;

  constructor(
    readonly diffId: string,
    private readonly compression: Compression,
    /** Names the layer in errors: "layer 3 (sha256:…) of img.tar". */
    private readonly label: string,
    /** Whether it will finish packed (finishPacked) rather than with entry objects (finish). */
    packed = false,
    /** Where it writes the entries instead, when it will finish as columns (finishColumns). */
    private readonly columns: LayerColumnsWriter | null = null,
  ) {
    this.packed = packed ? new PackedEntries() : null;
  }

  private readonly pathAt = (at: number): string =>
    this.packed ? this.packed.pathAt(at) : this.entries[at]!.path;

  /** `dataBase`: where the layer starts within the entry's source (offsets become the layer's own). */
  add(raw: RawLayerEntry, dataBase = 0): void {
    this.counted();
    if (raw.name.includes('\0') || raw.linkname.includes('\0')) {
      throw new StrataError(
        'bad-archive',
        `${this.label}: the entry "${raw.name.replace(/\0/g, '\\0')}" has a NUL byte in its name or link target`,
      );
    }
    if (raw.name.includes('\uFFFD'))
      this.note(`the name "${raw.name}" is not valid UTF-8; unreadable bytes show as \uFFFD`);
    let path = simplePath(raw.name);
    if (path === null) {
      const clamp = clampEntryPath(raw.name);
      path = clamp.path;
      if (clamp.clamped)
        this.note(`the entry "${raw.name}" climbs above the root; read as ${path ?? '/'}`);
      if (path === null) return; // the root directory itself: never listed
    }
    if (this.compression === 'gzip' && ESTARGZ_METADATA.has(path)) return;
    if (path.length > LIMITS.pathBytes) {
      throw new StrataError(
        'limit',
        `${this.label}: a path of ${path.length} bytes is ${overLimit('pathBytes')}`,
      );
    }
    // Each level takes a slash and a character: shorter paths cannot be too deep.
    if (path.length > 2 * LIMITS.pathDepth) this.checkDepth(path);
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
    let type = TYPES[raw.typeflag];
    if (!type) {
      this.note(`"${path}" has the unknown tar type '${raw.typeflag}'; kept as "other"`);
      type = 'other';
    }
    if (raw.typeflag === 'S') this.note(`"${path}" is a sparse file; its size is the stored size`);
    let linkTarget: string | null = null;
    if (type === 'symlink') linkTarget = raw.linkname;
    if (type === 'hardlink') {
      const target = clampEntryPath(raw.linkname);
      if (target.path === null || target.clamped) {
        this.note(`the hardlink "${path}" points outside the image root ("${raw.linkname}")`);
      }
      linkTarget = target.path ?? '/';
    }
    const size = type === 'file' ? raw.size : 0;
    const mode = raw.mode & 0o7777;
    const dataOffset = raw.dataOffset - dataBase;
    this.size += size;
    // A repeated path keeps its last position and attributes (the columns writer sees to it).
    const packed = this.packed;
    const entries = this.entries;
    if (!this.columns) {
      const at = packed ? packed.length : entries.length;
      const before = this.positions.set(path, at, this.pathAt);
      if (before >= 0) {
        if (packed) packed.drop(before);
        else entries[before] = null;
        this.rewritten++;
      }
    }
    const sink = this.columns ?? packed;
    if (sink) {
      sink.push(
        path,
        type,
        size,
        mode,
        raw.uid,
        raw.gid,
        raw.mtime,
        linkTarget,
        dataOffset,
        raw.sha256,
        raw.xattrs,
      );
      return;
    }
    const entry: LayerEntry = {
      path,
      type,
      size,
      mode,
      uid: raw.uid,
      gid: raw.gid,
      mtime: raw.mtime,
      linkTarget,
      dataOffset,
    };
    if (raw.sha256) entry.sha256 = raw.sha256;
    if (raw.xattrs) entry.xattrs = raw.xattrs;
    entries.push(entry);
  }

  private counted(): void {
    if (++this.count > LIMITS.entriesPerLayer) {
      throw new StrataError(
        'limit',
        `${this.label}: ${this.count} entries is ${overLimit('entriesPerLayer')}`,
      );
    }
  }

  /**
   * Told of each plain file whose bytes lie in the window its header was read from (a plain
   * layer read into columns): its node, where its bytes are in `block`, and its data offset.
   */
  bodies: FileBodies | null = null;

  /**
   * For a builder writing columns of a plain layer: what takes its entries, those whose header's
   * own name is plain (plain-path.ts) and whose type needs no note straight from the header's
   * bytes, as add() would take them. `dataBase` as for add().
   */
  plainEntries(dataBase: number): PlainEntries | null {
    const columns = this.columns;
    if (!columns || this.compression !== 'none') return null;
    const path = new PlainPath();
    return {
      take: (block, at, header, dataOffset) => {
        const code = PLAIN_TYPE_CODES[header.flag]!;
        // At most PLAIN_PATH_BYTES (plain-path.ts): within the limits on a path's bytes and depth.
        if (code < 0 || !path.read(block, at, header.posix)) return false;
        this.counted();
        const size = code === FILE_CODE ? header.size : 0;
        this.size += size;
        const node = columns.pushBytes(
          path.bytes,
          path.from,
          path.to,
          code,
          size,
          header.mode & 0o7777,
          header.uid,
          header.gid,
          header.mtime,
          code === SYMLINK_CODE ? linkNameOf(block, at) : null,
          dataOffset - dataBase,
        );
        const bodies = this.bodies;
        if (bodies && size > 0 && at + BLOCK + size <= block.length)
          bodies(node, block, at + BLOCK, size, dataOffset - dataBase);
        return true;
      },
      entry: (entry) => this.add(entry, dataBase),
    };
  }

  private checkDepth(path: string): void {
    let depth = 0;
    for (
      let i = path.indexOf('/');
      i >= 0 && depth <= LIMITS.pathDepth;
      i = path.indexOf('/', i + 1)
    )
      depth++;
    if (depth > LIMITS.pathDepth) {
      throw new StrataError(
        'limit',
        `${this.label}: a path ${depth} directories deep is ${overLimit('pathDepth')}`,
      );
    }
  }

  /** The index will hold the findings' scans of its files (content-scan.ts), given by scanned(). */
  scanContents(): void {
    this.scans ??= new Map();
  }

  /** The findings' scan of the file now at `path`. */
  scanned(path: string, scan: ContentScan): void {
    this.scans ??= new Map();
    if (scan.secrets.length || scan.envKeys.length) this.scans.set(path, scan);
    else this.scans.delete(path);
  }

  note(message: string): void {
    if (this.notes.length < 100) this.notes.push(message);
  }

  finish(): LayerIndex {
    if (this.packed) throw new Error('this builder finishes packed');
    return {
      ...this.meta(),
      entries: this.rewritten
        ? this.entries.filter((entry) => entry !== null)
        : (this.entries as LayerEntry[]),
    };
  }

  /** The index in the packed form (see packed-index.ts), for a builder made to finish packed. */
  finishPacked(): PackedIndex {
    if (!this.packed) throw new Error('this builder finishes with entry objects');
    return this.packed.finish(this.meta());
  }

  /** The layer's entries as columns and what else its index holds, for a builder made with a writer. */
  finishColumns(): { columns: LayerColumns; meta: Omit<LayerIndex, 'entries'> } {
    if (!this.columns) throw new Error('this builder was made without a columns writer');
    const meta = this.meta();
    return { columns: this.columns.finish(meta.whiteouts, meta.opaqueDirs), meta };
  }

  private meta(): Omit<LayerIndex, 'entries'> {
    if (this.positions.capacity <= MAX_SPARE_SLOTS) {
      this.positions.clear();
      spareTables.push(this.positions);
    }
    return {
      diffId: this.diffId,
      compression: this.compression,
      whiteouts: [...this.whiteouts],
      opaqueDirs: [...this.opaqueDirs],
      size: this.size,
      notes: this.notes,
      ...(this.scans ? { contentScans: this.scans } : {}),
    };
  }
}
