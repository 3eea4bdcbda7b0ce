// A push parser for tar streams (decompressed layers, engine exports): header blocks go through
// the shared decoder; every body byte is counted, so no entry type can desynchronise it.
// Pushed chunks are read where they lie, through a cursor: a header is decoded in place, a body
// without a data handler is only counted, and only a record split between chunks is copied.
import { BLOCK } from './header';
import { TarEntryDecoder, type TarEntry } from './entry-decoder';

export interface TarStreamHandlers {
  entry(entry: TarEntry): void;
  /** A piece of the current entry's content (only for entries with a size). */
  data?(entry: TarEntry, chunk: Buffer): void;
  entryEnd?(entry: TarEntry): void;
}

export class TarStreamParser {
  private readonly decoder: TarEntryDecoder;
  /** Unread bytes: from `cursor` in the first piece, then the rest of the pieces. */
  private pending: Buffer[] = [];
  private cursor = 0;
  private pendingBytes = 0;
  /** Offset in the tar of the first unread byte. */
  private offset = 0;
  private state: 'header' | 'meta' | 'body' | 'padding' | 'end' = 'header';
  private need = BLOCK;
  private current: TarEntry | null = null;
  private bodyLeft = 0;
  private metaAt = 0;
  private metaSize = 0;
  private padding = 0;
  /** A header block split between chunks, or lying off a 4-byte boundary, is decoded from here. */
  private readonly block = Buffer.allocUnsafeSlow(BLOCK);

  constructor(
    private readonly handlers: TarStreamHandlers,
    label: string,
  ) {
    this.decoder = new TarEntryDecoder(label);
  }

  /** Bytes consumed so far. */
  get position(): number {
    return this.offset;
  }

  /** True once the end-of-archive marker has been read (a tar that was written completely). */
  get ended(): boolean {
    return this.state === 'end';
  }

  push(chunk: Buffer): void {
    if (this.state === 'end' || chunk.length === 0) return; // what follows the end marker is ignored
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    this.drain();
    // What waits for the next chunk (less than one record) is kept as a copy: a reader may write
    // its buffer again.
    this.pending.forEach((piece, i) => {
      if (piece.buffer !== chunk.buffer) return;
      this.pending[i] = Buffer.from(i === 0 ? piece.subarray(this.cursor) : piece);
      if (i === 0) this.cursor = 0;
    });
  }

  /** Call when the stream ends: fails if it ended inside an entry. */
  end(): void {
    if (this.state === 'end') return;
    if (this.state === 'header' && this.pendingBytes === 0) return; // no end marker: tolerated
    this.decoder.fail(
      this.offset,
      `truncated: the archive ends inside ${this.current ? `entry "${this.current.name}"` : 'a header'}`,
    );
  }

  /** Moves the cursor `length` bytes on (at most what is pending). */
  private skip(length: number): void {
    this.pendingBytes -= length;
    this.offset += length;
    while (length > 0) {
      const left = this.pending[0]!.length - this.cursor;
      if (length < left) {
        this.cursor += length;
        return;
      }
      length -= left;
      this.pending.shift();
      this.cursor = 0;
    }
  }

  /** The next `length` pending bytes copied into `into` (which is returned); the cursor moves on. */
  private join(length: number, into: Buffer): Buffer {
    let filled = 0;
    for (let i = 0; filled < length; i++) {
      const piece = this.pending[i]!;
      const from = i === 0 ? this.cursor : 0;
      filled += piece.copy(into, filled, from, Math.min(piece.length, from + length - filled));
    }
    this.skip(length);
    return into;
  }

  private drain(): void {
    while (this.state !== 'end') {
      if (this.state === 'body') {
        if (this.pendingBytes === 0) return;
        const first = this.pending[0]!;
        const length = Math.min(this.bodyLeft, first.length - this.cursor);
        if (this.handlers.data) {
          const whole = this.cursor === 0 && length === first.length;
          this.handlers.data(
            this.current!,
            whole ? first : first.subarray(this.cursor, this.cursor + length),
          );
        }
        this.skip(length);
        this.bodyLeft -= length;
        if (this.bodyLeft === 0) this.finishEntry();
        continue;
      }
      if (this.pendingBytes < this.need) return;
      if (this.state === 'header') {
        this.header();
      } else if (this.state === 'meta') {
        const data = this.join(this.need, Buffer.allocUnsafe(this.need));
        this.decoder.meta(data.subarray(0, this.metaSize), this.metaAt);
        this.state = 'header';
        this.need = BLOCK;
      } else if (this.state === 'padding') {
        this.skip(this.need);
        this.state = 'header';
        this.need = BLOCK;
      }
    }
  }

  private header(): void {
    const at = this.offset;
    const first = this.pending[0]!;
    const inPlace =
      first.length - this.cursor >= BLOCK && (first.byteOffset + this.cursor) % 4 === 0;
    const decoded = inPlace
      ? this.decoder.header(first, at, Infinity, this.cursor)
      : this.decoder.header(this.join(BLOCK, this.block), at);
    if (inPlace) this.skip(BLOCK);
    if (decoded.kind === 'end') {
      this.state = 'end';
      this.pending = [];
      this.pendingBytes = 0;
      this.cursor = 0;
      return;
    }
    if (decoded.kind === 'meta') {
      this.state = 'meta';
      this.need = decoded.next - at - BLOCK;
      this.metaAt = at;
      this.metaSize = decoded.size;
      return;
    }
    if (decoded.kind === 'taken') throw new Error('a stream parser is given no PlainEntries');
    this.current = decoded.entry;
    this.handlers.entry(decoded.entry);
    this.bodyLeft = decoded.entry.size;
    this.padding = decoded.next - at - BLOCK - decoded.entry.size;
    if (this.bodyLeft > 0) this.state = 'body';
    else this.finishEntry();
  }

  private finishEntry(): void {
    this.handlers.entryEnd?.(this.current!);
    this.current = null;
    if (this.padding > 0) {
      this.state = 'padding';
      this.need = this.padding;
    } else {
      this.state = 'header';
      this.need = BLOCK;
    }
  }
}
