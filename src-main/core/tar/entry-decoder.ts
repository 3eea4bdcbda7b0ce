// Turns a tar's header blocks into entries: applies PAX records and GNU long names to the entry
// that follows them. Shared by the positioned header walk and the streaming parser.
import { StrataError } from '../errors';
import { LIMITS, overLimit } from '../limits';
import { HeaderFields, linkNameOf, nameOf, paddedSize, readHeader, typeflagOf } from './header';
import { parsePax, paxNumber, paxText, paxXattrs, type PaxRecords } from './pax';

export interface TarEntry {
  /** The name as stored (after PAX/GNU long-name records), not yet normalised. */
  name: string;
  /** The tar typeflag: '0' file, '1' hardlink, '2' symlink, '3' char, '4' block, '5' dir, '6' fifo, '7' contiguous, 'S' sparse. */
  typeflag: string;
  size: number;
  mode: number;
  uid: number;
  gid: number;
  mtime: number;
  linkname: string;
  /** Offset of the entry's data within the tar. */
  dataOffset: number;
  /** Offset of the entry's first header block (its PAX or long-name header, if any). */
  headerOffset: number;
  xattrs?: Record<string, Buffer>;
}

/** What `header()` found. The object is the decoder's own, reused by its next call. */
export type Decoded =
  | { kind: 'end' }
  /** A PAX or long-name record of `size` bytes follows: pass it to `meta()`. */
  | { kind: 'meta'; size: number; next: number }
  | { kind: 'entry'; entry: TarEntry; next: number }
  /** The decoder's PlainEntries took the entry from its header's bytes. */
  | { kind: 'taken'; next: number };

/**
 * A reader of a tar's entries that takes what it can straight from their header blocks, where no
 * PAX or long-name record came before them (their name and link are the block's own): no
 * TarEntry, no string made for them.
 */
export interface PlainEntries {
  /** Whether it took the entry; if not, it is decoded and given to entry(). */
  take(block: Buffer, at: number, fields: HeaderFields, dataOffset: number): boolean;
  entry(entry: TarEntry): void;
}

const END = { kind: 'end' } as const;

const META_TYPES = new Set(['x', 'g', 'L', 'K']);

export class TarEntryDecoder {
  private pax: PaxRecords | undefined;
  private longName: string | undefined;
  private longLink: string | undefined;
  private metaType = '';
  private entryStart = 0;
  private readonly metaFound = { kind: 'meta' as const, size: 0, next: 0 };
  private readonly taken = { kind: 'taken' as const, next: 0 };
  private readonly fields = new HeaderFields();
  private readonly entryFound = {
    kind: 'entry' as const,
    entry: null as unknown as TarEntry,
    next: 0,
  };

  constructor(
    /** Names the tar in errors: "img.tar: layer 3". */
    private readonly label: string,
    /** Where the tar starts within its source, so errors give offsets within the tar. */
    private readonly base = 0,
    private readonly plain: PlainEntries | null = null,
  ) {}

  fail(offset: number, problem: string, code: 'bad-archive' | 'limit' = 'bad-archive'): never {
    throw new StrataError(code, `${this.label}: ${problem} (at byte ${offset - this.base})`);
  }

  /**
   * Decodes the header block found at `at` in `block`, which lies at `offset` in the tar;
   * `available` is where the tar's bytes end, if known.
   */
  header(block: Buffer, offset: number, available = Infinity, at = 0): Decoded {
    if (!this.pax && this.longName === undefined && this.longLink === undefined)
      this.entryStart = offset;
    const h = this.fields;
    const read = readHeader(block, at, h);
    if (read === 'zero') return END;
    if (read !== 'header') this.fail(offset, `invalid tar header: ${read}`);
    const typeflag = typeflagOf(h);
    const isMeta = META_TYPES.has(typeflag);
    const size = this.pax && !isMeta ? (paxNumber(this.pax, 'size') ?? h.size) : h.size;
    if (!Number.isSafeInteger(size) || size < 0)
      this.fail(offset, `entry "${nameOf(block, at, h)}" has an invalid size`);
    const dataOffset = offset + 512;
    if (dataOffset + size > available) {
      this.fail(
        offset,
        `truncated: entry "${this.longName ?? nameOf(block, at, h)}" needs ${size} bytes, the archive ends first`,
      );
    }
    const next = dataOffset + paddedSize(size);
    if (isMeta) {
      if (size > LIMITS.extendedHeaderBytes) {
        this.fail(
          offset,
          `an extended header of ${size} bytes is ${overLimit('extendedHeaderBytes')}`,
          'limit',
        );
      }
      this.metaType = typeflag;
      this.metaFound.size = size;
      this.metaFound.next = next;
      return this.metaFound;
    }
    if (
      this.plain &&
      !this.pax &&
      this.longName === undefined &&
      this.longLink === undefined &&
      this.plain.take(block, at, h, dataOffset)
    ) {
      this.taken.next = next;
      return this.taken;
    }
    const pax = this.pax;
    const entry: TarEntry = {
      name: (pax && paxText(pax, 'path')) ?? this.longName ?? nameOf(block, at, h),
      typeflag,
      size,
      mode: h.mode,
      uid: (pax && paxNumber(pax, 'uid')) ?? h.uid,
      gid: (pax && paxNumber(pax, 'gid')) ?? h.gid,
      mtime: (pax && paxNumber(pax, 'mtime')) ?? h.mtime,
      linkname: (pax && paxText(pax, 'linkpath')) ?? this.longLink ?? linkNameOf(block, at),
      dataOffset,
      headerOffset: this.entryStart,
    };
    const xattrs = pax && paxXattrs(pax);
    if (xattrs) entry.xattrs = xattrs;
    this.pax = undefined;
    this.longName = undefined;
    this.longLink = undefined;
    this.entryFound.entry = entry;
    this.entryFound.next = next;
    return this.entryFound;
  }

  /** The data of the record announced by the last `meta` result. */
  meta(data: Buffer, offset: number): void {
    if (this.metaType === 'x') {
      const records = parsePax(data);
      if (typeof records === 'string') this.fail(offset, records);
      this.pax = records;
    } else if (this.metaType === 'L') {
      this.longName = nulTerminated(data);
    } else if (this.metaType === 'K') {
      this.longLink = nulTerminated(data);
    }
    // 'g' (global PAX) sets defaults for later entries; no layer writer relies on it.
  }
}

function nulTerminated(data: Buffer): string {
  const nul = data.indexOf(0);
  return data.toString('utf8', 0, nul < 0 ? data.length : nul);
}
