// One file's contents as the inspector shows them, read a page at a time: the first page says
// what the file is (image, text or binary), "Load more" reads the next. Images are read whole
// (up to a bound) and shown from a blob: URL.
import type { ExplorerApi, FileRef } from '../api/explorer-api';
import { MAX_READ_BYTES } from '../api/explorer-api';
import { sniffContent, type ContentKind } from '../lib/sniff';

/** The first read: enough to tell text from binary and to show a screenful or more. */
const FIRST_PAGE = 64 * 1024;
/** Each "Load more" of text. */
const TEXT_PAGE = 256 * 1024;
/** Each "Load more" of a hex dump. */
const HEX_PAGE = 64 * 1024;
/** Images larger than this are not previewed (their bytes are still shown in hex). */
export const MAX_PREVIEW_BYTES = 16 * 1024 * 1024;

export class FileContent {
  kind = $state.raw<ContentKind | null>(null);
  /** Bytes read so far (from offset 0). */
  loaded = $state(0);
  /** The file's size. */
  total = $state(0);
  loading = $state(false);
  error = $state<string | null>(null);
  /** Text read so far (text files). */
  text = $state.raw('');
  /** Bytes read so far (binary files, and images too large to preview). */
  bytes = $state.raw<Uint8Array>(new Uint8Array(0));
  /** A blob: URL of the image (images). */
  imageUrl = $state<string | null>(null);

  private readonly decoder = new TextDecoder('utf-8');
  private disposed = false;

  constructor(
    private readonly api: ExplorerApi,
    readonly file: FileRef,
  ) {}

  get complete(): boolean {
    return this.loaded >= this.total;
  }

  /** Reads the first page and decides how to show the file. */
  async start(): Promise<void> {
    const first = await this.read(0, FIRST_PAGE);
    if (!first) return;
    const kind = sniffContent(this.file.path, first.bytes, first.total);
    if (kind.kind === 'image' && first.total <= MAX_PREVIEW_BYTES) {
      await this.loadImage(first.bytes, first.total, kind.mime);
      this.kind = kind;
      return;
    }
    this.kind = kind.kind === 'image' ? { kind: 'binary' } : kind;
    this.append(first.bytes);
  }

  /** Reads the next page (text or hex). */
  async more(): Promise<void> {
    if (this.loading || this.complete || !this.kind) return;
    const page = this.kind.kind === 'text' ? TEXT_PAGE : HEX_PAGE;
    const next = await this.read(this.loaded, page);
    if (next) this.append(next.bytes);
  }

  dispose(): void {
    this.disposed = true;
    if (this.imageUrl) URL.revokeObjectURL(this.imageUrl);
    this.imageUrl = null;
  }

  private append(bytes: Uint8Array): void {
    const loaded = this.loaded + bytes.length;
    if (this.kind?.kind === 'text') {
      // Streaming: a UTF-8 sequence cut at a page end is completed by the next page.
      this.text += this.decoder.decode(bytes, { stream: loaded < this.total });
    } else {
      const joined = new Uint8Array(this.bytes.length + bytes.length);
      joined.set(this.bytes);
      joined.set(bytes, this.bytes.length);
      this.bytes = joined;
    }
    this.loaded = loaded;
  }

  private async loadImage(first: Uint8Array, total: number, mime: string): Promise<void> {
    const parts: Uint8Array[] = [first];
    let offset = first.length;
    while (offset < total) {
      const next = await this.read(offset, MAX_READ_BYTES);
      if (!next || next.bytes.length === 0) return;
      parts.push(next.bytes);
      offset += next.bytes.length;
    }
    if (this.disposed) return;
    const blob = new Blob(parts as BlobPart[], { type: mime });
    this.imageUrl = URL.createObjectURL(blob);
    this.loaded = total;
  }

  private async read(
    offset: number,
    length: number,
  ): Promise<{ bytes: Uint8Array; total: number } | null> {
    this.loading = true;
    try {
      const answer = await this.api.read(this.file, offset, length);
      if (this.disposed) return null;
      this.total = answer.total;
      return answer;
    } catch (error) {
      if (!this.disposed) this.error = error instanceof Error ? error.message : String(error);
      return null;
    } finally {
      this.loading = false;
    }
  }
}
