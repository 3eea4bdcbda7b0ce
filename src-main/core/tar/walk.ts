// Walks a tar's headers with positioned reads, skipping file bodies entirely.
import type { ByteSource } from '../io/byte-source';
import { StrataError } from '../errors';
import { LIMITS } from '../limits';
import { BLOCK, paddedSize, parseHeader } from './header';
import { parsePax, paxNumber, paxText, paxXattrs, type PaxRecords } from './pax';

export interface TarEntry {
  /** The name as stored (after PAX/GNU long-name records), not yet normalised. */
  name: string;
  /** The tar typeflag: '0' file, '1' hardlink, '2' symlink, '3' char, '4' block, '5' dir, '6' fifo, '7' contiguous. */
  typeflag: string;
  size: number;
  mode: number;
  uid: number;
  gid: number;
  mtime: number;
  linkname: string;
  /** Absolute offset of the entry's data within the source. */
  dataOffset: number;
  /** Offset of the entry's first header block (its PAX or long-name header, if any). */
  headerOffset: number;
  xattrs?: Record<string, Buffer>;
}

export interface WalkOptions {
  /** Where the tar starts within the source (a layer inside an outer archive). */
  start?: number;
  /** Where it ends; defaults to the end of the source. */
  end?: number;
  /** Names the tar in errors ("layer 3 of img.tar"). */
  label?: string;
}

const META_TYPES = new Set(['x', 'g', 'L', 'K']);

export async function* walkTar(source: ByteSource, options: WalkOptions = {}): AsyncGenerator<TarEntry> {
  const start = options.start ?? 0;
  const end = options.end ?? source.size;
  const label = options.label ?? source.name;
  const fail = (offset: number, problem: string): never => {
    throw new StrataError('bad-archive', `${label}: ${problem} (at byte ${offset - start})`);
  };

  let pos = start;
  let pax: PaxRecords | undefined;
  let longName: string | undefined;
  let longLink: string | undefined;
  let entryStart = pos;

  while (pos + BLOCK <= end) {
    if (pax === undefined && longName === undefined && longLink === undefined) entryStart = pos;
    const parsed = parseHeader(await source.read(pos, BLOCK));
    if (parsed.kind === 'zero') return;
    if (parsed.kind === 'invalid') fail(pos, `invalid tar header: ${parsed.reason}`);
    if (parsed.kind !== 'header') return;
    const header = parsed.header;
    const headerPos = pos;
    const size = pax && !META_TYPES.has(header.typeflag) ? (paxNumber(pax, 'size') ?? header.size) : header.size;
    if (!Number.isSafeInteger(size) || size < 0) fail(headerPos, `entry "${header.name}" has an invalid size`);
    const dataOffset = pos + BLOCK;
    const next = dataOffset + paddedSize(size);
    if (dataOffset + size > end) {
      fail(headerPos, `truncated: entry "${longName ?? header.name}" needs ${size} bytes, the archive ends first`);
    }
    pos = next;

    if (META_TYPES.has(header.typeflag)) {
      if (size > LIMITS.extendedHeaderBytes) {
        fail(headerPos, `an extended header of ${size} bytes is over the limit of ${LIMITS.extendedHeaderBytes}`);
      }
      const data = Buffer.from(await source.read(dataOffset, size));
      if (header.typeflag === 'x') {
        const records = parsePax(data);
        if (typeof records === 'string') fail(headerPos, records);
        else pax = records;
      } else if (header.typeflag === 'L') {
        longName = nulTerminated(data);
      } else if (header.typeflag === 'K') {
        longLink = nulTerminated(data);
      }
      // 'g' (global PAX) sets defaults for later entries; no layer writer relies on it.
      continue;
    }

    const entry: TarEntry = {
      name: (pax && paxText(pax, 'path')) ?? longName ?? header.name,
      typeflag: header.typeflag,
      size,
      mode: header.mode,
      uid: (pax && paxNumber(pax, 'uid')) ?? header.uid,
      gid: (pax && paxNumber(pax, 'gid')) ?? header.gid,
      mtime: (pax && paxNumber(pax, 'mtime')) ?? header.mtime,
      linkname: (pax && paxText(pax, 'linkpath')) ?? longLink ?? header.linkname,
      dataOffset,
      headerOffset: entryStart,
    };
    const xattrs = pax && paxXattrs(pax);
    if (xattrs) entry.xattrs = xattrs;
    pax = undefined;
    longName = undefined;
    longLink = undefined;
    yield entry;
  }
  if (pos < end) fail(pos, 'truncated: the archive ends inside a header');
}

function nulTerminated(data: Buffer): string {
  const nul = data.indexOf(0);
  return data.toString('utf8', 0, nul < 0 ? data.length : nul);
}
