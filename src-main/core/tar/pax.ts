// PAX extended header records: "LEN KEY=VALUE\n". Values are kept as bytes, because
// SCHILY.xattr.* values are binary (security.capability) and must not be decoded as text.
export type PaxRecords = Map<string, Buffer>;

export function parsePax(data: Buffer): PaxRecords | string {
  const records: PaxRecords = new Map();
  let pos = 0;
  while (pos < data.length) {
    if (data[pos] === 0) break; // padding some writers leave
    const space = data.indexOf(0x20, pos);
    if (space < 0 || space - pos > 20) return 'malformed PAX record length';
    const length = Number(data.toString('latin1', pos, space));
    if (!Number.isInteger(length) || length <= space - pos + 1 || pos + length > data.length) {
      return 'malformed PAX record length';
    }
    const record = data.subarray(space + 1, pos + length);
    if (record[record.length - 1] !== 0x0a) return 'PAX record without a newline';
    const equals = record.indexOf(0x3d);
    if (equals <= 0) return 'PAX record without a key';
    const key = record.toString('utf8', 0, equals);
    records.set(key, record.subarray(equals + 1, record.length - 1));
    pos += length;
  }
  return records;
}

export function paxText(records: PaxRecords, key: string): string | undefined {
  const value = records.get(key);
  return value === undefined ? undefined : value.toString('utf8');
}

export function paxNumber(records: PaxRecords, key: string): number | undefined {
  const value = paxText(records, key);
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

/** Extended attributes from SCHILY.xattr.NAME (raw bytes) and LIBARCHIVE.xattr.NAME (base64). */
export function paxXattrs(records: PaxRecords): Record<string, Buffer> | undefined {
  let xattrs: Record<string, Buffer> | undefined;
  for (const [key, value] of records) {
    if (key.startsWith('SCHILY.xattr.')) {
      (xattrs ??= Object.create(null) as Record<string, Buffer>)[key.slice(13)] =
        Buffer.from(value);
    } else if (key.startsWith('LIBARCHIVE.xattr.')) {
      const name = decodeURIComponent(key.slice(17));
      (xattrs ??= Object.create(null) as Record<string, Buffer>)[name] = Buffer.from(
        value.toString('latin1'),
        'base64',
      );
    }
  }
  return xattrs;
}
