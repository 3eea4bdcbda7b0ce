// The comparisons the service holds open: each is two image models and their diff; its files
// are shown through file views over the diff tree.
import { createHash, randomUUID } from 'node:crypto';
import type { ComparedFile, CompareSummary, DiffResult } from '../../api/compare';
import type { TreeFilter, TreeSort } from '../../api/explorer';
import { StrataError } from '../errors';
import type { ImageModel } from '../image/load-image';
import { openContent } from '../image/read-file';
import { TreeView } from '../view/tree-view';
import { diffImages } from './diff-images';
import { diffTree, type CompareShow } from './diff-tree';

const MAX_FILE_BYTES = 1024 * 1024;
const MAX_COMPARISONS = 16;

interface Comparison {
  a: ImageModel;
  b: ImageModel;
  handles: [string, string];
  diff: DiffResult;
}

export class Comparisons {
  private readonly open = new Map<string, Comparison>();

  async compare(
    a: { handle: string; model: ImageModel; label: string },
    b: { handle: string; model: ImageModel; label: string },
  ): Promise<CompareSummary> {
    const diff = await diffImages(a.model, b.model);
    const compareId = randomUUID();
    this.open.set(compareId, { a: a.model, b: b.model, handles: [a.handle, b.handle], diff });
    if (this.open.size > MAX_COMPARISONS) this.open.delete(this.open.keys().next().value!);
    const growths = diff.files
      .map((f) => ({ path: f.path, delta: (f.b?.size ?? 0) - (f.a?.size ?? 0) }))
      .filter((g) => g.delta > 0)
      .sort((x, y) => y.delta - x.delta)
      .slice(0, 10);
    return {
      compareId,
      a: a.label,
      b: b.label,
      sharedLayers: diff.sharedLayers,
      sizeDelta: diff.sizeDelta,
      summary: diff.summary,
      layers: diff.layers,
      config: diff.config,
      largestGrowths: growths,
    };
  }

  view(compareId: string, show: CompareShow, sort: TreeSort, filter?: TreeFilter): TreeView {
    const c = this.get(compareId);
    return new TreeView(diffTree(c.a, c.b, c.diff, show), { sort, ...(filter ? { filter } : {}) });
  }

  async file(
    compareId: string,
    path: string,
  ): Promise<{ a: ComparedFile | null; b: ComparedFile | null }> {
    const c = this.get(compareId);
    const side = async (model: ImageModel): Promise<ComparedFile | null> => {
      const placed = model.tree.get(path)?.placed;
      if (!placed || placed.entry.type !== 'file') return null;
      const hash = createHash('sha256');
      const kept: Buffer[] = [];
      let keptBytes = 0;
      for await (const chunk of openContent(model, placed)) {
        const buffer = chunk as Buffer;
        hash.update(buffer);
        if (keptBytes < MAX_FILE_BYTES) {
          const piece = buffer.subarray(0, MAX_FILE_BYTES - keptBytes);
          kept.push(piece);
          keptBytes += piece.length;
        }
      }
      return {
        size: placed.entry.size,
        digest: `sha256:${hash.digest('hex')}`,
        base64: Buffer.concat(kept).toString('base64'),
        truncated: placed.entry.size > keptBytes,
      };
    };
    return { a: await side(c.a), b: await side(c.b) };
  }

  close(compareId: string): void {
    this.open.delete(compareId);
  }

  /** Drops the comparisons that use an image being closed. */
  forget(handle: string): void {
    for (const [id, c] of this.open) if (c.handles.includes(handle)) this.open.delete(id);
  }

  private get(compareId: string): Comparison {
    const c = this.open.get(compareId);
    if (!c)
      throw new StrataError('not-found', 'That comparison is closed; compare the images again.');
    return c;
  }
}
