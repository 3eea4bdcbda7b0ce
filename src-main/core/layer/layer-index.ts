import type { EntryType } from '../../api/model';
import type { ContentScan } from '../analysis/content-scan';
import type { Compression } from '../io/decompress';

export type { Compression };

/** One file-system entry a layer writes (whiteouts are kept apart, in `LayerIndex.whiteouts`). */
export interface LayerEntry {
  path: string;
  type: EntryType;
  /** Content bytes for regular files; 0 for everything else. */
  size: number;
  /** Permission bits with setuid, setgid and sticky. */
  mode: number;
  uid: number;
  gid: number;
  mtime: number;
  /** Symlink target as stored; hardlink target as an absolute path. */
  linkTarget: string | null;
  /** Offset of the content within the uncompressed layer tar (so an index fits any copy of the layer). */
  dataOffset: number;
  /**
   * sha256 of the content when the layer was streamed (compressed layers): its 32 bytes as a
   * latin1 string, compared as they are and written out as hex only where shown (`digestText`).
   */
  sha256?: string;
  xattrs?: Record<string, Buffer>;
}

export interface LayerIndex {
  diffId: string;
  compression: Compression;
  /** Entries in tar order; a path written twice in one layer keeps the last. */
  entries: LayerEntry[];
  /** Paths this layer deletes from the layers below (`.wh.NAME`). */
  whiteouts: string[];
  /** Directories whose lower contents this layer hides (`.wh..wh..opq`). */
  opaqueDirs: string[];
  /** Bytes of regular-file content. */
  size: number;
  /** Things worth telling the user that did not stop the read. */
  notes: string[];
  /**
   * Set when the layer was streamed (compressed): what the findings look for in the content of
   * each file they read (content-scan.ts) of up to SCAN_BYTES, by path, for those where it found
   * something; the others found nothing.
   */
  contentScans?: Map<string, ContentScan>;
}

/** What a layer's index holds besides its entries. */
export type LayerMeta = Omit<LayerIndex, 'entries'>;
