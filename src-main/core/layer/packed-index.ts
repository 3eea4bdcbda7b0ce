// A LayerIndex as three flat blocks, the entries' strings in one UTF-8 buffer, their numbers in
// one Float64Array and their content digests side by side, for the index store to write and read
// back in one go (an object per entry through JSON or a structured clone costs about a second per
// 100k entries).
import type { EntryType } from '../../api/model';
import type { LayerEntry, LayerIndex } from './layer-index';

export interface PackedIndex {
  /** Everything of the index but its entries (structured-cloned: small). */
  meta: Omit<LayerIndex, 'entries'>;
  count: number;
  /** Every entry's path, then the link target of each entry with one, separated by NUL. */
  strings: Uint8Array;
  /** The sha256 of each entry with one, in entry order, DIGEST_BYTES each. */
  digests: Uint8Array;
  /** Per entry, FIELDS numbers: type, flags, size, mode, uid, gid, mtime, dataOffset. */
  numbers: Float64Array;
  /** The rare entries with extended attributes, by position. */
  xattrs: [number, Record<string, Buffer>][];
}

export const FIELDS = 8;
export const DIGEST_BYTES = 32;
/** Entry types by code: the packed form's, and LayerColumns' (which copies them over). */
export const TYPES: readonly EntryType[] = [
  'file',
  'dir',
  'symlink',
  'hardlink',
  'char',
  'block',
  'fifo',
  'other',
];
export const TYPE_CODE = new Map(TYPES.map((type, i) => [type, i]));
export const HAS_LINK = 1;
export const HAS_DIGEST = 2;

export function packIndex(index: LayerIndex): PackedIndex {
  const { entries, ...meta } = index;
  const packed = new PackedEntries(entries.length);
  for (const e of entries) {
    packed.push(
      e.path,
      e.type,
      e.size,
      e.mode,
      e.uid,
      e.gid,
      e.mtime,
      e.linkTarget,
      e.dataOffset,
      e.sha256,
      e.xattrs,
    );
  }
  return packed.finish(meta);
}

/**
 * A layer's entries written straight into the packed form, as the index builder finds them, with
 * no object per entry (a layer worker sends this form; building objects to pack them cost the
 * workers a collection and a pass over them). An entry may be dropped (its path written again
 * later in the layer); the packed form leaves it out.
 */
export class PackedEntries {
  private numbers: Float64Array;
  private readonly paths: (string | null)[] = [];
  /** Link targets of the entries with one, by position. */
  private links: [number, string][] = [];
  /** The digests of the entries with one, in entry order (flagged in `numbers`). */
  private digests = Buffer.allocUnsafeSlow(DIGEST_BYTES * 1024);
  private digested = 0;
  private xattrs: [number, Record<string, Buffer>][] = [];
  private dropped = 0;

  /** `capacity`: the entries there will be, if known (the columns grow past it). */
  constructor(capacity = 1024) {
    this.numbers = new Float64Array(FIELDS * Math.max(capacity, 1));
  }

  get length(): number {
    return this.paths.length;
  }

  pathAt(at: number): string {
    return this.paths[at]!;
  }

  drop(at: number): void {
    this.paths[at] = null;
    this.dropped++;
  }

  push(
    path: string,
    type: EntryType,
    size: number,
    mode: number,
    uid: number,
    gid: number,
    mtime: number,
    linkTarget: string | null,
    dataOffset: number,
    sha256: string | undefined,
    xattrs: Record<string, Buffer> | undefined,
  ): void {
    const i = this.paths.length;
    let at = i * FIELDS;
    if (at + FIELDS > this.numbers.length) {
      const grown = new Float64Array(this.numbers.length * 2);
      grown.set(this.numbers);
      this.numbers = grown;
    }
    const numbers = this.numbers;
    numbers[at++] = TYPE_CODE.get(type)!;
    numbers[at++] = (linkTarget !== null ? HAS_LINK : 0) | (sha256 ? HAS_DIGEST : 0);
    numbers[at++] = size;
    numbers[at++] = mode;
    numbers[at++] = uid;
    numbers[at++] = gid;
    numbers[at++] = mtime;
    numbers[at] = dataOffset;
    this.paths.push(path);
    if (linkTarget !== null) this.links.push([i, linkTarget]);
    if (sha256) {
      if ((this.digested + 1) * DIGEST_BYTES > this.digests.length) {
        const grown = Buffer.allocUnsafeSlow(this.digests.length * 2);
        this.digests.copy(grown);
        this.digests = grown;
      }
      this.digests.write(sha256, this.digested++ * DIGEST_BYTES, DIGEST_BYTES, 'latin1');
    }
    if (xattrs) this.xattrs.push([i, xattrs]);
  }

  /** The packed index of the entries not dropped, in their order, with `meta`. Ends the writer. */
  finish(meta: PackedIndex['meta']): PackedIndex {
    if (this.dropped) this.compact();
    const count = this.paths.length;
    const numbers =
      this.numbers.length === count * FIELDS ? this.numbers : this.numbers.slice(0, count * FIELDS);
    const strings = this.paths as string[];
    for (const [, link] of this.links) strings.push(link);
    const used = this.digested * DIGEST_BYTES;
    // Memory of its own (not a slice of a larger block), to be handed to another thread.
    const digests =
      used === this.digests.length ? this.digests : Buffer.from(this.digests.subarray(0, used));
    const encoded = Buffer.from(strings.join('\0'), 'utf8');
    return { meta, count, strings: encoded, digests, numbers, xattrs: this.xattrs };
  }

  /** Leaves the dropped entries out of every column. */
  private compact(): void {
    const total = this.paths.length;
    const position = new Int32Array(total).fill(-1);
    let kept = 0;
    let digestFrom = 0;
    let digestTo = 0;
    for (let i = 0; i < total; i++) {
      const digested = this.numbers[i * FIELDS + 1]! & HAS_DIGEST;
      if (this.paths[i] !== null) {
        position[i] = kept;
        this.numbers.copyWithin(kept * FIELDS, i * FIELDS, (i + 1) * FIELDS);
        this.paths[kept++] = this.paths[i]!;
        if (digested) {
          const from = digestFrom * DIGEST_BYTES;
          this.digests.copyWithin(digestTo++ * DIGEST_BYTES, from, from + DIGEST_BYTES);
        }
      }
      if (digested) digestFrom++;
    }
    this.paths.length = kept;
    this.digested = digestTo;
    const moved = <T>(list: [number, T][]): [number, T][] =>
      list.flatMap(([i, value]) => (position[i]! >= 0 ? [[position[i]!, value]] : []));
    this.links = moved(this.links);
    this.xattrs = moved(this.xattrs);
    this.dropped = 0;
  }
}

/**
 * The packed form a worker sent an index in, kept until the index store writes it: packing the
 * same index again took the main thread about 0.45 s for the benchmark image's gzip layers.
 * Kept only while a store will take it (it doubles the index's memory until then).
 */
const packedForms = new WeakMap<LayerIndex, PackedIndex>();

export function keepPackedForm(index: LayerIndex, packed: PackedIndex): void {
  packedForms.set(index, packed);
}

/**
 * The index's packed form, to call for when it is needed: the form it came in (let go of now,
 * whether called for or not), else packed then.
 */
export function packedFormOf(index: LayerIndex): () => PackedIndex {
  const kept = packedForms.get(index);
  packedForms.delete(index);
  return () => kept ?? packIndex(index);
}

/** A number read from a Float64Array kept as a small integer where it is one (not a boxed double). */
const small = (value: number): number => ((value | 0) === value ? value | 0 : value);

/**
 * Throws unless the packed form is consistent, as packIndex makes it: what unpackIndex checks,
 * without making an entry (for a reader of the columns themselves).
 */
export function checkPacked(packed: PackedIndex): void {
  const { count, numbers, meta } = packed;
  if (
    numbers.length !== count * FIELDS ||
    packed.digests.byteLength % DIGEST_BYTES !== 0 ||
    typeof meta.diffId !== 'string' ||
    typeof meta.size !== 'number' ||
    ![meta.whiteouts, meta.opaqueDirs, meta.notes].every(Array.isArray)
  )
    throw new Error('the packed index is inconsistent');
  let links = 0;
  let digests = 0;
  for (let at = 0; at < numbers.length; at += FIELDS) {
    if (!TYPES[numbers[at]!]) throw new Error('the packed index has an unknown entry type');
    if (numbers[at + 1]! & HAS_LINK) links++;
    if (numbers[at + 1]! & HAS_DIGEST) digests++;
  }
  if (digests * DIGEST_BYTES !== packed.digests.byteLength)
    throw new Error('the packed index has other digests');
  let strings = count ? 1 : 0;
  const bytes = packed.strings;
  for (let at = bytes.indexOf(0); at >= 0; at = bytes.indexOf(0, at + 1)) strings++;
  if (strings !== count + links) throw new Error('the packed index has other strings');
}

/** The index again; throws when the packed form is not one packIndex made (a damaged file). */
export function unpackIndex(packed: PackedIndex): LayerIndex {
  const { count, numbers, meta } = packed;
  const digests = Buffer.from(
    packed.digests.buffer,
    packed.digests.byteOffset,
    packed.digests.byteLength,
  );
  if (
    numbers.length !== count * FIELDS ||
    digests.length % DIGEST_BYTES !== 0 ||
    typeof meta.diffId !== 'string' ||
    typeof meta.size !== 'number' ||
    ![meta.whiteouts, meta.opaqueDirs, meta.notes].every(Array.isArray)
  )
    throw new Error('the packed index is inconsistent');
  const strings = count
    ? Buffer.from(packed.strings.buffer, packed.strings.byteOffset, packed.strings.byteLength)
        .toString('utf8')
        .split('\0')
    : [];
  let extra = count;
  let digestAt = 0;
  const entries: LayerEntry[] = new Array<LayerEntry>(count);
  for (let i = 0; i < count; i++) {
    const at = i * FIELDS;
    const flags = numbers[at + 1]!;
    const type = TYPES[numbers[at]!];
    if (!type) throw new Error('the packed index has an unknown entry type');
    const entry: LayerEntry = {
      path: strings[i]!,
      type,
      size: small(numbers[at + 2]!),
      mode: small(numbers[at + 3]!),
      uid: small(numbers[at + 4]!),
      gid: small(numbers[at + 5]!),
      mtime: small(numbers[at + 6]!),
      linkTarget: flags & HAS_LINK ? strings[extra++]! : null,
      dataOffset: small(numbers[at + 7]!),
    };
    if (flags & HAS_DIGEST) {
      if (digestAt === digests.length) throw new Error('the packed index has too few digests');
      entry.sha256 = digests.toString('latin1', digestAt, (digestAt += DIGEST_BYTES));
    }
    entries[i] = entry;
  }
  if (extra !== strings.length || strings.some((s) => s === undefined))
    throw new Error('the packed index has other strings');
  if (digestAt !== digests.length) throw new Error('the packed index has other digests');
  for (const [i, attrs] of packed.xattrs) entries[i]!.xattrs = attrs;
  return { ...packed.meta, entries };
}
