// A push parser for tar streams (decompressed layers, engine exports): header blocks go through
// the shared decoder; every body byte is counted, so no entry type can desynchronise it.
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
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Offset in the tar of the first pending byte. */
  private offset = 0;
  private state: 'header' | 'meta' | 'body' | 'padding' | 'end' = 'header';
  private need = BLOCK;
  private current: TarEntry | null = null;
  private bodyLeft = 0;
  private metaAt = 0;
  private metaSize = 0;
  private padding = 0;

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
    if (this.state === 'end') return; // what follows the end marker is ignored
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    this.drain();
    // What waits for the next chunk is kept as a copy: a reader may write its buffer again.
    const last = this.pending.length - 1;
    if (last >= 0 && this.pending[last]!.buffer === chunk.buffer)
      this.pending[last] = Buffer.from(this.pending[last]!);
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

  private take(length: number): Buffer {
    if (length === 0) return Buffer.alloc(0);
    const first = this.pending[0]!;
    let out: Buffer;
    if (first.length >= length) {
      out = first.subarray(0, length);
      if (first.length === length) this.pending.shift();
      else this.pending[0] = first.subarray(length);
    } else {
      const whole = Buffer.concat(this.pending);
      out = whole.subarray(0, length);
      this.pending = whole.length > length ? [whole.subarray(length)] : [];
    }
    this.pendingBytes -= length;
    this.offset += length;
    return out;
  }

  private drain(): void {
    while (this.state !== 'end') {
      if (this.state === 'body') {
        if (this.pendingBytes === 0) return;
        const piece = this.take(Math.min(this.bodyLeft, this.pending[0]!.length));
        this.bodyLeft -= piece.length;
        this.handlers.data?.(this.current!, piece);
        if (this.bodyLeft === 0) this.finishEntry();
        continue;
      }
      if (this.pendingBytes < this.need) return;
      if (this.state === 'header') {
        const at = this.offset;
        const decoded = this.decoder.header(this.take(BLOCK), at);
        if (decoded.kind === 'end') {
          this.state = 'end';
          this.pending = [];
          return;
        }
        if (decoded.kind === 'meta') {
          this.state = 'meta';
          this.need = decoded.next - at - BLOCK;
          this.metaAt = at;
          this.metaSize = decoded.size;
        } else {
          this.current = decoded.entry;
          this.handlers.entry(decoded.entry);
          this.bodyLeft = decoded.entry.size;
          this.padding = decoded.next - at - BLOCK - decoded.entry.size;
          if (this.bodyLeft > 0) this.state = 'body';
          else this.finishEntry();
        }
      } else if (this.state === 'meta') {
        const data = this.take(this.need);
        this.decoder.meta(Buffer.from(data.subarray(0, this.metaSize)), this.metaAt);
        this.state = 'header';
        this.need = BLOCK;
      } else if (this.state === 'padding') {
        this.take(this.need);
        this.state = 'header';
        this.need = BLOCK;
      }
    }
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
