// Human output for the terminal: sizes like docker prints them, and plain aligned tables.

export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = -1;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value < 10 ? value.toFixed(2) : value < 100 ? value.toFixed(1) : value.toFixed(0)} ${units[unit]}`;
}

/** Columns padded to their widest cell; the last column is never padded. */
export function table(rows: string[][], rightAligned: number[] = []): string {
  const widths = columnWidths(rows.length, (i) => rows[i]!);
  return rows.map((row) => tableRow(row, widths, rightAligned)).join('\n');
}

/** The widest cell of each column of `count` rows. */
export function columnWidths(count: number, row: (i: number) => string[]): number[] {
  const widths: number[] = [];
  for (let i = 0; i < count; i++)
    row(i).forEach((cell, c) => (widths[c] = Math.max(widths[c] ?? 0, cell.length)));
  return widths;
}

/** One row of `table`. */
export function tableRow(row: string[], widths: number[], rightAligned: number[]): string {
  return row
    .map((cell, i) => {
      if (i === row.length - 1) return cell;
      return rightAligned.includes(i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!);
    })
    .join('  ');
}

/** A history command as a person reads it: `#(nop)` prefixes dropped, whitespace folded. */
export function displayCommand(createdBy: string): string {
  return createdBy
    .replace(/^\/bin\/sh -c #\(nop\)\s*/, '')
    .replace(/^\/bin\/sh -c /, 'RUN ')
    .replace(/\s+/g, ' ')
    .trim();
}
