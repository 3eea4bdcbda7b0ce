// The compare half of StrataApi, the same over both transports: compare two open images, open
// a file view of their differences (its rows then come through the explorer's view channels),
// read both sides of one file, close the comparison.
import type { Channels } from '../../../src-main/api/contract';
import type { CompareSummary } from '../../../src-main/api/compare';
import type { TreeFilter, TreeSort } from '../../../src-main/api/explorer';
import { decodeBase64, type OpenedView } from './explorer-api';

export type CompareChannel = 'compare:open' | 'compare:view' | 'compare:file' | 'compare:close';

/** One call of a compare channel: resolves to its response, throws ApiError for `{ok:false}`. */
export type CompareCall = <C extends CompareChannel>(
  channel: C,
  request: Channels[C]['request'],
) => Promise<Channels[C]['response']>;

/** What a comparison's file view shows: only the differences, or both file systems whole. */
export type CompareShow = 'changes' | 'all';

/** One side of a compared file: its first bytes (up to 1 MiB), its size and digest. */
export interface ComparedSide {
  size: number;
  digest: string;
  bytes: Uint8Array;
  /** True when `bytes` is only the start of the file. */
  truncated: boolean;
}

export interface CompareApi {
  /** Compares image A with image B (both open, by handle). */
  open(a: string, b: string): Promise<CompareSummary>;
  /** A file view of the comparison; page, expand and close it with the explorer's view calls. */
  openView(
    compareId: string,
    show: CompareShow,
    sort: TreeSort,
    filter?: TreeFilter,
  ): Promise<OpenedView>;
  /** Both sides of a path (null where it is not a regular file). */
  file(
    compareId: string,
    path: string,
  ): Promise<{ a: ComparedSide | null; b: ComparedSide | null }>;
  close(compareId: string): Promise<void>;
}

export function createCompareApi(call: CompareCall): CompareApi {
  const side = (file: Channels['compare:file']['response']['a']): ComparedSide | null =>
    file && {
      size: file.size,
      digest: file.digest,
      bytes: decodeBase64(file.base64),
      truncated: file.truncated,
    };
  return {
    open: (a, b) => call('compare:open', { a, b }),
    openView: (compareId, show, sort, filter) =>
      call('compare:view', filter ? { compareId, show, sort, filter } : { compareId, show, sort }),
    async file(compareId, path) {
      const answer = await call('compare:file', { compareId, path });
      return { a: side(answer.a), b: side(answer.b) };
    },
    async close(compareId) {
      await call('compare:close', { compareId });
    },
  };
}
