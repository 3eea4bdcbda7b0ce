// A classic hex dump for binary files: offset, 16 bytes in two groups of 8, and the printable
// ASCII beside them.

export interface HexLine {
  /** The offset of the line's first byte, 8 hex digits (more when the file is that large). */
  offset: string;
  /** `7f 45 4c 46 02 01 01 00  00 00 00 00 00 00 00 00`, padded to full width on the last line. */
  hex: string;
  /** Printable ASCII, `.` for everything else. */
  ascii: string;
}

export const HEX_BYTES_PER_LINE = 16;

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function printable(byte: number): string {
  return byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : '.';
}

/**
 * The hex lines of `bytes`, whose first byte is at `baseOffset` in the file, `width` bytes a
 * line (16, or 8 where space is short).
 */
export function hexLines(bytes: Uint8Array, baseOffset = 0, width = HEX_BYTES_PER_LINE): HexLine[] {
  const lines: HexLine[] = [];
  const full = width * 3; // "xx " per byte plus the gap between the groups, less the trailing space
  for (let at = 0; at < bytes.length; at += width) {
    const chunk = bytes.subarray(at, at + width);
    let hex = '';
    let ascii = '';
    chunk.forEach((byte, i) => {
      if (i > 0) hex += i === width / 2 ? '  ' : ' ';
      hex += HEX[byte];
      ascii += printable(byte);
    });
    lines.push({
      offset: (baseOffset + at).toString(16).padStart(8, '0'),
      hex: hex.padEnd(full, ' '),
      ascii,
    });
  }
  return lines;
}
