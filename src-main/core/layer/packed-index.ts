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

const FIELDS = 8;
const DIGEST_BYTES = 32;
const TYPES: EntryType[] = ['file', 'dir', 'symlink', 'hardlink', 'char', 'block', 'fifo', 'other'];
const TYPE_CODE = new Map(TYPES.map((type, i) => [type, i]));
const HAS_LINK = 1;
const HAS_DIGEST = 2;

export function packIndex(index: LayerIndex): PackedIndex {
  const { entries, ...meta } = index;
  const count = entries.length;
  const numbers = new Float64Array(count * FIELDS);
  const strings: string[] = new Array<string>(count);
  const extras: string[] = [];
  const xattrs: [number, Record<string, Buffer>][] = [];
  let digested = 0;
  for (let i = 0; i < count; i++) {
    const e = entries[i]!;
    const at = i * FIELDS;
    numbers[at] = TYPE_CODE.get(e.type)!;
    numbers[at + 1] = (e.linkTarget !== null ? HAS_LINK : 0) | (e.sha256 ? HAS_DIGEST : 0);
    numbers[at + 2] = e.size;
    numbers[at + 3] = e.mode;
    numbers[at + 4] = e.uid;
    numbers[at + 5] = e.gid;
    numbers[at + 6] = e.mtime;
    numbers[at + 7] = e.dataOffset;
    strings[i] = e.path;
    if (e.linkTarget !== null) extras.push(e.linkTarget);
    if (e.sha256) digested++;
    if (e.xattrs) xattrs.push([i, e.xattrs]);
  }
  for (const extra of extras) strings.push(extra);
  const encoded = Buffer.from(strings.join('\0'), 'utf8');
  const digests = Buffer.allocUnsafeSlow(digested * DIGEST_BYTES);
  let written = 0;
  for (const e of entries) {
    if (e.sha256) written += digests.write(e.sha256, written, DIGEST_BYTES, 'latin1');
  }
  return { meta, count, strings: encoded, digests, numbers, xattrs };
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
