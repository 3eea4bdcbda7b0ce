// Indexes the layers of an engine export while it streams past: the outer tar is parsed as it
// arrives, and every member that is a layer (`<id>/layer.tar`, podman's `<hex>.tar`,
// `blobs/sha256/<hex>`, plain or compressed) is fed to a second tar parser and a
// LayerIndexBuilder. The indexes match what readLayer() builds from the finished archive, so the
// image model later finds them all in the cache.
//
// A compressed layer is hashed on the way (its stored digest, and its diff ID from what it
// inflates to), as readLayer() does. A plain layer is not, as readLayer() does not hash one read
// from a file: its diff ID is the one the archive gives it, by its name (`blobs/sha256/<hex>`,
// podman's `<hex>.tar`) or, for `<id>/layer.tar`, by its place in the image (layer-placement.ts).
import { createHash, type Hash } from 'node:crypto';
import { once } from 'node:events';
import type { Duplex } from 'node:stream';
import { normalizeMemberName, type LinkedMember } from '../archive/archive';
import { StrataError } from '../errors';
import { compressionOf, decompressor, type Compression } from '../io/decompress';
import { LayerIndexBuilder, type RawLayerEntry } from '../layer/index-builder';
import { streamedLayerParser } from '../layer/streamed-layer';
import type { LayerIndex } from '../layer/layer-index';
import type { TarEntry } from '../tar/entry-decoder';
import { TarStreamParser } from '../tar/stream-parser';
import { LayerPlacement } from './layer-placement';

export interface IndexedLayer {
  /** The member's name in the export. */
  member: string;
  /**
   * The diff ID: hashed for a compressed layer, named for a plain one, or null for a plain layer
   * whose name does not say it (the manifest's place for the member tells it). The index's
   * `diffId` is this, or '' while null.
   */
  diffId: string | null;
  index: LayerIndex;
}

/** The manifest and legacy layer json files are read for placing layers when no larger than this. */
const PLACEMENT_JSON_BYTES = 1024 * 1024;

/** Members that are never layers: the archive's own metadata. */
const METADATA = /(^|\/)(manifest\.json|index\.json|oci-layout|repositories|VERSION|json)$|\.json$/;
const BLOB = /^(?:\.\/)?blobs\/sha256\/([0-9a-f]{64})$/;
/** A plain layer's name that says its digest: a Docker 25+ blob, podman's `<hex>.tar`. */
const NAMED_LAYER = /^(?:\.\/)?(?:blobs\/sha256\/([0-9a-f]{64})|([0-9a-f]{64})\.tar)$/;
/** What the placement reads: the manifest, and a legacy layer folder's json. */
const PLACEMENT_JSON = /^(?:manifest\.json|[^/]+\/json)$/;

export class ExportIndexer {
  private readonly outer: TarStreamParser;
  private member: MemberIndexer | null = null;
  /** The member being gathered for the placement, if it is one of its json files. */
  private json: { name: string; pieces: Buffer[] } | null = null;
  /** Every member so far, for following the manifest's names through links. */
  private readonly members = new Map<string, LinkedMember>();
  private readonly placement: LayerPlacement<IndexedLayer>;
  private readonly finishing: Promise<void>[] = [];
  private failure: unknown = null;
  private count = 0;

  constructor(
    /** Names the export in errors: `docker://alpine:3`. */
    private readonly label: string,
    private readonly onLayer: (layer: IndexedLayer) => void,
    /** Where a layer told with a null diff ID goes in the image (base 0); once a layer. */
    onPlaced: (layer: IndexedLayer, position: number) => void = () => {},
  ) {
    this.placement = new LayerPlacement((name) => this.members.get(name), onPlaced);
    this.outer = new TarStreamParser(
      {
        entry: (entry) => {
          const name = normalizeMemberName(entry.name);
          if (name !== null) this.members.set(name, entry);
          this.member = MemberIndexer.forEntry(entry, `${label}: ${entry.name}`);
          const json = name !== null && PLACEMENT_JSON.test(name);
          this.json = json && entry.size <= PLACEMENT_JSON_BYTES ? { name, pieces: [] } : null;
        },
        data: (_entry, chunk) => {
          this.member?.push(chunk);
          this.json?.pieces.push(Buffer.from(chunk));
        },
        entryEnd: () => {
          const member = this.member;
          this.member = null;
          if (member) this.finishing.push(this.finish(member));
          const json = this.json;
          this.json = null;
          // Read once the layers before it have been told (a layer's end may wait for inflating).
          if (json)
            this.finishing.push(Promise.all(this.finishing).then(() => this.readJson(json)));
        },
      },
      label,
    );
  }

  /** One that does not read places nothing: loadImage reads the archive and says what is wrong. */
  private readJson({ name, pieces }: { name: string; pieces: Buffer[] }): void {
    let json: unknown;
    try {
      json = JSON.parse(Buffer.concat(pieces).toString('utf8'));
    } catch {
      return;
    }
    if (name === 'manifest.json') this.placement.manifest(json);
    else this.placement.legacyJson(name.slice(0, -'/json'.length), json);
  }

  /** Layers indexed so far. */
  get layersIndexed(): number {
    return this.count;
  }

  /** Bytes of the export parsed so far. */
  get position(): number {
    return this.outer.position;
  }

  /**
   * Parses the next piece of the export; throws when the outer tar is broken. Nothing of `chunk`
   * is kept once this is called (what is needed later is copied): its memory may be reused.
   */
  async push(chunk: Buffer): Promise<void> {
    this.outer.push(chunk);
    const drained = this.member?.drained();
    if (drained) await drained;
    await this.settle();
  }

  /** True once the outer tar's end marker has been read: nothing after it is part of the archive. */
  get complete(): boolean {
    return this.outer.ended;
  }

  /** Call when the export stream ended: fails unless the tar was complete, end marker included. */
  async end(): Promise<void> {
    this.outer.end();
    await this.settle();
    if (!this.outer.ended) {
      throw new StrataError(
        'bad-archive',
        `${this.label}: the export ended without the tar's end marker (after ${this.outer.position} bytes)`,
      );
    }
  }

  private async settle(): Promise<void> {
    while (this.finishing.length > 0) await this.finishing.shift();
    if (this.failure) throw this.failure;
  }

  private async finish(member: MemberIndexer): Promise<void> {
    try {
      const layer = await member.finish();
      if (layer) {
        this.count++;
        this.onLayer(layer);
        if (layer.diffId === null)
          this.placement.layer(normalizeMemberName(layer.member) ?? layer.member, layer);
      }
    } catch (err) {
      this.failure ??= err;
    }
  }
}

/** One member of the export on its way through: sniffed, hashed and, if a layer, indexed. */
class MemberIndexer {
  /** The stored bytes' hash: for every member but a plain layer. */
  private rawHash: Hash | null = null;
  private head: Buffer[] = [];
  private headBytes = 0;
  private mode: 'sniff' | 'layer' | 'skip' = 'sniff';
  private compression: Compression = 'none';
  private builder: LayerIndexBuilder | null = null;
  private inner: TarStreamParser | null = null;
  /** For compressed layers: the decompressor, the diff ID's hash, the current file's hash. */
  private unpack: Duplex | null = null;
  private unpacked: Promise<void> | null = null;
  private diffHash: Hash | null = null;

  private constructor(
    private readonly name: string,
    private readonly label: string,
  ) {}

  static forEntry(entry: TarEntry, label: string): MemberIndexer | null {
    const regular = entry.typeflag === '0' || entry.typeflag === '7';
    if (!regular || entry.size === 0 || METADATA.test(entry.name)) return null;
    return new MemberIndexer(entry.name, label);
  }

  push(chunk: Buffer): void {
    this.rawHash?.update(chunk);
    if (this.mode === 'skip') return;
    if (this.mode === 'sniff') {
      this.headBytes += chunk.length;
      // Kept across pushes only as a copy (the chunk's memory may be read into again).
      if (this.headBytes < 4) {
        this.head.push(Buffer.from(chunk));
        return;
      }
      const head = this.head.length ? Buffer.concat([...this.head, chunk]) : chunk;
      this.head = [];
      this.start(head);
      this.feed(head);
      return;
    }
    this.feed(chunk);
  }

  /** Resolves when the decompressor can take more (backpressure), or null when it can now. */
  drained(): Promise<void> | null {
    if (!this.unpack || !this.unpack.writableNeedDrain) return null;
    return once(this.unpack, 'drain').then(() => undefined);
  }

  async finish(): Promise<IndexedLayer | null> {
    if (this.mode === 'sniff') {
      const head = Buffer.concat(this.head);
      this.start(head);
      this.feed(head);
    }
    const rawDigest = this.rawHash && `sha256:${this.rawHash.digest('hex')}`;
    const blob = BLOB.exec(this.name);
    if (blob && rawDigest && rawDigest !== `sha256:${blob[1]}`) {
      throw new StrataError(
        'bad-archive',
        `${this.label}: the blob's content has the digest ${rawDigest}, not the one its name says; the export is damaged`,
      );
    }
    if (this.unpack) {
      this.unpack.end();
      await this.unpacked;
    }
    if (this.mode !== 'layer' || !this.inner || !this.builder) return null;
    try {
      this.inner.end();
    } catch {
      return null;
    }
    const named = NAMED_LAYER.exec(this.name);
    const diffId = this.diffHash
      ? `sha256:${this.diffHash.digest('hex')}`
      : named
        ? `sha256:${named[1] ?? named[2]}`
        : null;
    return { member: this.name, diffId, index: { ...this.builder.finish(), diffId: diffId ?? '' } };
  }

  /** Decides from the first bytes whether the member is a layer, and how it is stored. */
  private start(head: Buffer): void {
    this.compression = compressionOf(head);
    const json = head[0] === 0x7b; // '{': a config or a manifest
    if (json || this.compression !== 'none') (this.rawHash = createHash('sha256')).update(head);
    if (json || head.length === 0) {
      this.mode = 'skip';
      return;
    }
    this.mode = 'layer';
    this.builder = new LayerIndexBuilder('pending', this.compression, this.label);
    if (this.compression === 'none') {
      this.inner = new TarStreamParser({ entry: (entry) => this.add(entry) }, this.label);
      return;
    }
    this.diffHash = createHash('sha256');
    this.inner = streamedLayerParser(this.builder, this.label, (entry) => this.add(entry));
    const unpack = decompressor(this.compression);
    this.unpack = unpack;
    unpack.on('data', (chunk: Buffer) => {
      if (this.mode !== 'layer') return;
      this.diffHash?.update(chunk);
      this.parse(chunk);
    });
    this.unpacked = new Promise<void>((resolve) => {
      unpack.once('end', resolve);
      unpack.once('error', () => {
        this.mode = 'skip';
        resolve();
      });
    });
  }

  private feed(chunk: Buffer): void {
    if (this.mode !== 'layer') return;
    // The decompressor holds what it is given until it gets to it: a copy, since the caller's
    // chunk may be read into again once the push returns.
    if (this.unpack) this.unpack.write(Buffer.from(chunk));
    else this.parse(chunk);
  }

  private parse(chunk: Buffer): void {
    try {
      this.inner?.push(chunk);
    } catch {
      // Not a tar after all (or a damaged layer): loadImage reads it itself and says what is wrong.
      this.mode = 'skip';
      this.inner = null;
    }
  }

  private add(entry: RawLayerEntry): void {
    try {
      this.builder?.add(entry);
    } catch {
      this.mode = 'skip';
      this.inner = null;
    }
  }
}
