// What a file's first bytes say it is: an image the inspector can preview, text, or binary.

export type ContentKind =
  { kind: 'image'; mime: string } | { kind: 'text' } | { kind: 'binary' } | { kind: 'empty' };

const startsWith = (bytes: Uint8Array, signature: number[], at = 0) =>
  signature.every((byte, i) => bytes[at + i] === byte);

const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));

/** The image MIME type of `bytes` from its magic number, or null. */
export function imageMime(bytes: Uint8Array): string | null {
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(bytes, ascii('GIF87a')) || startsWith(bytes, ascii('GIF89a'))) return 'image/gif';
  if (startsWith(bytes, ascii('RIFF')) && startsWith(bytes, ascii('WEBP'), 8)) return 'image/webp';
  return null;
}

/** True when `bytes` read as UTF-8 text: no NUL, valid UTF-8 (a sequence cut at the end is fine). */
export function looksLikeText(bytes: Uint8Array): boolean {
  if (bytes.includes(0)) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: true });
  } catch {
    return false;
  }
  // Mostly control characters (other than whitespace and ESC for coloured output) is binary.
  let control = 0;
  for (const byte of bytes) {
    if (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d && byte !== 0x1b) control++;
  }
  return control <= bytes.length * 0.05;
}

/** What the inspector should show for a file at `path` whose content starts with `head`. */
export function sniffContent(path: string, head: Uint8Array, size: number): ContentKind {
  if (size === 0) return { kind: 'empty' };
  const mime = imageMime(head);
  if (mime) return { kind: 'image', mime };
  const text = looksLikeText(head);
  if (text && /\.svg$/i.test(path)) {
    const start = new TextDecoder().decode(head.subarray(0, 2048));
    if (/<svg[\s>]/i.test(start)) return { kind: 'image', mime: 'image/svg+xml' };
  }
  return text ? { kind: 'text' } : { kind: 'binary' };
}
