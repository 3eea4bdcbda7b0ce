// Layer indexes by diff ID: a layer shared by two images (or opened twice) is indexed once.
// An index is independent of where the layer is stored: offsets are within the uncompressed tar.
//
// A diff ID is what an archive claims: nobody hashes a plain layer read by its headers, and a
// compressed one is hashed only when it is read. So an index serves another copy of its layer only
// when that copy is proven to hold the same bytes: the same region of the same unchanged file, or
// a region of the same length that compares equal byte for byte (on a worker thread). A hostile
// archive claiming a trusted layer's diff ID is then read on its own, not shown with the trusted
// layer's files.
import { open, type FileHandle } from 'node:fs/promises';
import { FileSource, fileIdentity, readFully } from '../io/byte-source';
import { compareRegions } from '../io/region-compare';
import { compressionOf } from '../io/decompress';
import type { LayerIndex } from './layer-index';
import type { LayerBlob } from './read-layer';

/** Where a cached index's bytes lie. */
interface Origin {
  /** What the user calls the image or file, for the note when another copy differs. */
  name: string;
  path: string;
  /** The file as it was when read (fileIdentity). */
  stat: string;
  /** What the file is, when told (an engine export, whose times change on use); else `stat`. */
  identity: string;
  offset: number;
  length: number;
}

export type CacheAnswer<T = LayerIndex> =
  | { index: T }
  /** An index is held for this diff ID, made from other bytes: `differs` names their image. */
  | { differs: string }
  | undefined;

/** Enough of a blob's start to tell its compression. */
const HEAD_BYTES = 8;
const PROOFS_AT_ONCE = 4;

/** Indexes of copies whose bytes differ from another copy's that claims the same diff ID. */
const disputes = new WeakMap<object, string>();

/** Records why `index` (or its meta) was read on its own, and adds it to the layer's notes. */
export function markDisputed(index: { notes: string[] }, diffId: string, other: string): void {
  const why = `its diff ID ${diffId} is also claimed by a layer of ${other} that holds other bytes; this copy was read on its own`;
  disputes.set(index, why);
  index.notes.push(why);
}

/** Why another copy claiming this layer's diff ID was found to hold other bytes, if one was. */
export function disputeOf(index: object): string | undefined {
  return disputes.get(index);
}

interface Held<T> {
  index: T;
  origin: Origin;
}

type Proof = Promise<boolean | 'stale' | null>;

/** A layer's index in some form (a LayerIndex, or columns: load-columns.ts), by diff ID. */
export class LayerCache<T extends { readonly diffId: string }> {
  private readonly held = new Map<string, Held<T>>();
  /** Copies that will be asked for (expect), by diff ID, until an index of theirs is held. */
  private readonly expected = new Map<string, LayerBlob[]>();
  /** Proofs started before their copy was asked for, by copy. */
  private readonly early = new Map<string, { item: Held<T>; proof: Proof }>();
  private entries = 0;
  private proving = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly entriesOf: (index: T) => number,
    /** Bound on the entries held across all cached indexes. */
    private readonly maxEntries = 4_000_000,
  ) {}

  /** Whether an index is held for this diff ID (for some copy of the layer). */
  has(diffId: string): boolean {
    return this.held.has(diffId);
  }

  /**
   * The index of the layer in `blob`, if one is held for bytes proven to be the same.
   * `identity`: what the file is, when its times change without its bytes changing.
   */
  async get(diffId: string, blob: LayerBlob, identity?: string): Promise<CacheAnswer<T>> {
    const item = this.held.get(diffId);
    if (!item) return undefined;
    const same = sameRegion(item.origin, blob, identity)
      ? true
      : await (this.earlyProof(item, blob, identity) ??
          this.inTurn(() => sameBytes(item.origin, blob)));
    if (same === 'stale') {
      // The bytes it was made from are gone: it can serve no copy, and the next one read takes
      // its place.
      if (this.held.get(diffId) === item) this.forget(diffId);
      return undefined;
    }
    if (same === null) return undefined;
    if (!same) return { differs: item.origin.name };
    if (this.held.get(diffId) === item) {
      this.held.delete(diffId); // most recently used last
      this.held.set(diffId, item);
    }
    return { index: item.index };
  }

  /**
   * Holds the index read from `blob` (only a file's region can be proven the same later).
   * `identity` as for get; `label`: what the user calls the image, for the note a copy with other
   * bytes gets (the file's name if not given).
   */
  set(
    index: T,
    blob: LayerBlob,
    { identity, label }: { identity?: string | undefined; label?: string | undefined } = {},
  ): void {
    const source = blob.source;
    if (this.held.has(index.diffId) || !(source instanceof FileSource)) return;
    const origin = {
      name: label ?? source.name,
      path: source.path,
      stat: source.identity,
      identity: identity ?? source.identity,
      offset: blob.offset,
      length: blob.length,
    };
    const item = { index, origin };
    this.held.set(index.diffId, item);
    for (const copy of this.expected.get(index.diffId) ?? []) this.prove(item, copy);
    this.expected.delete(index.diffId);
    this.entries += this.entriesOf(index);
    for (const [diffId, old] of this.held) {
      if (this.entries <= this.maxEntries || old.index === index) break;
      this.forget(diffId);
    }
  }

  /**
   * Says that the copy of a layer in `blob` (a file's region) will be asked for: once an index of
   * the layer is held from another copy, the two are compared at once, while what holds the
   * index is still being read, not when the copy is asked for.
   */
  expect(diffId: string, blob: LayerBlob): void {
    if (!(blob.source instanceof FileSource)) return;
    const item = this.held.get(diffId);
    if (item) this.prove(item, blob);
    else this.expected.set(diffId, [...(this.expected.get(diffId) ?? []), blob]);
  }

  private prove(item: Held<T>, copy: LayerBlob): void {
    const key = copyKey(copy);
    if (sameRegion(item.origin, copy, undefined) || this.early.has(key)) return;
    const proof = this.inTurn(() => sameBytes(item.origin, copy));
    proof.catch(() => {});
    this.early.set(key, { item, proof });
  }

  /** The proof started for this copy against this index, if one was (it is used once). */
  private earlyProof(
    item: Held<T>,
    blob: LayerBlob,
    identity: string | undefined,
  ): Proof | undefined {
    if (identity !== undefined) return undefined;
    const key = copyKey(blob);
    const found = this.early.get(key);
    this.early.delete(key);
    return found?.item === item ? found.proof : undefined;
  }

  /**
   * Runs a comparison once fewer than PROOFS_AT_ONCE are running: an image of a hundred shared
   * layers compares a few at a time, not a hundred buffers and file pairs at once.
   */
  private async inTurn<T>(compare: () => Promise<T>): Promise<T> {
    while (this.proving >= PROOFS_AT_ONCE) await new Promise<void>((go) => this.waiting.push(go));
    this.proving++;
    try {
      return await compare();
    } finally {
      this.proving--;
      this.waiting.shift()?.();
    }
  }

  private forget(diffId: string): void {
    this.entries -= this.entriesOf(this.held.get(diffId)!.index);
    this.held.delete(diffId);
  }
}

export class LayerIndexCache extends LayerCache<LayerIndex> {
  constructor(maxEntries?: number) {
    super((index) => index.entries.length, maxEntries);
  }
}

/** A file's region as it is now (its identity included). */
function copyKey(blob: LayerBlob): string {
  const source = blob.source as FileSource;
  return `${source.path}\0${source.identity}\0${blob.offset}\0${blob.length}`;
}

/** `blob` is the very region the origin's index was made from, of the same file as it was. */
function sameRegion(origin: Origin, blob: LayerBlob, identity: string | undefined): boolean {
  const source = blob.source;
  return (
    source instanceof FileSource &&
    source.path === origin.path &&
    (identity ?? source.identity) === origin.identity &&
    blob.offset === origin.offset &&
    blob.length === origin.length
  );
}

/**
 * Whether `blob` holds the bytes at `origin`, compared on a worker thread through both files
 * (the origin's may be closed by now). Other bytes mean another layer only where both are plain
 * tars: two compressions of one layer differ too. `stale` when the origin's file is gone or was
 * written again since; null when it cannot tell.
 */
async function sameBytes(origin: Origin, blob: LayerBlob): Promise<boolean | 'stale' | null> {
  const source = blob.source;
  if (!(source instanceof FileSource)) return null;
  const handles: FileHandle[] = [];
  try {
    const a = await open(origin.path, 'r').catch(() => null);
    if (!a) return 'stale';
    handles.push(a);
    if (fileIdentity(await a.stat()) !== origin.stat) return 'stale';
    const b = await open(source.path, 'r');
    handles.push(b);
    if (fileIdentity(await b.stat()) !== source.identity) return null;
    const plain = (heads: [Uint8Array, Uint8Array]): boolean =>
      heads.every((head) => compressionOf(Buffer.from(head)) === 'none');
    if (origin.length !== blob.length) {
      const heads: [Buffer, Buffer] = [Buffer.alloc(HEAD_BYTES), Buffer.alloc(HEAD_BYTES)];
      const read = await Promise.all([
        readFully(a, heads[0], HEAD_BYTES, origin.offset),
        readFully(b, heads[1], HEAD_BYTES, blob.offset),
      ]);
      return plain([heads[0].subarray(0, read[0]), heads[1].subarray(0, read[1])]) ? false : null;
    }
    const { outcome, heads } = await compareRegions(
      { fd: a.fd, offset: origin.offset },
      { fd: b.fd, offset: blob.offset },
      origin.length,
    );
    if (outcome === 'same') return true;
    if (outcome === 'short') return null; // a file shorter than it was
    return heads && plain(heads) ? false : null;
  } catch {
    return null;
  } finally {
    await Promise.all(handles.map((h) => h.close()));
  }
}
