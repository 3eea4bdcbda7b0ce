// One path as of one layer, for the inspector: its attributes, which layers wrote it, where a
// link leads, and its bytes a page at a time (removed files too: their bytes are still stored).
import type { Change } from '../../api/model';
import type { EntryDetails } from '../../api/explorer';
import { StrataError } from '../errors';
import { clampEntryPath } from '../layer/entry-path';
import type { Placed } from '../tree/merged-tree';
import { treeAt } from './layer-view';
import { changesOf, type ImageModel } from './load-image';
import { openContent, resolveFile } from './read-file';

const IMPLICIT_DIR = { type: 'dir' as const, size: 0 };

/** The entry at `path` as the view of `layer` shows it: present, or removed by that layer. */
export function entryAt(
  model: ImageModel,
  layer: number,
  path: string,
): { placed: Placed; change: Change } {
  const normal = clampEntryPath(path).path;
  if (normal === null) throw new StrataError('bad-request', `Not a path inside the image: ${path}`);
  const changes = changesOf(model, layer);
  const change = changes.changeOf(normal) ?? 'unchanged';
  const placed =
    change === 'removed' ? changes.before.get(normal) : treeAt(model, layer).get(normal)?.placed;
  if (!placed) throw new StrataError('not-found', `${normal} does not exist as of layer ${layer}.`);
  return { placed, change };
}

export function entryDetails(model: ImageModel, layer: number, path: string): EntryDetails {
  const { placed, change } = entryAt(model, layer, path);
  const { entry } = placed;
  const history: EntryDetails['history'] = [];
  // Every layer's changes and entries are scanned for the one path rather than made into maps
  // by path: the first click on a file would make them all (300 ms for the benchmark image).
  model.indexes.forEach((index, i) => {
    const c = changesOf(model, i).changeOf(entry.path);
    if (c === undefined) return;
    // A layer that touched the path without removing it wrote it (or created it as a parent).
    const state =
      c === 'removed' ? null : (index.entries.find((e) => e.path === entry.path) ?? IMPLICIT_DIR);
    history.push({
      layer: i,
      change: c,
      type: state?.type ?? null,
      size: state ? state.size : null,
    });
  });
  let resolvedPath: string | null = null;
  if (entry.type === 'symlink' || entry.type === 'hardlink') {
    try {
      resolvedPath = resolveFile(treeAt(model, layer), entry.path, model.path).entry.path;
    } catch {
      resolvedPath = null;
    }
  }
  return {
    path: entry.path,
    type: entry.type,
    size: entry.size,
    mode: entry.mode,
    uid: entry.uid,
    gid: entry.gid,
    mtime: new Date(entry.mtime * 1000).toISOString(),
    linkTarget: entry.linkTarget,
    resolvedPath,
    layer: placed.layer,
    change,
    xattrs: Object.entries(entry.xattrs ?? {}).map(([name, value]) => ({
      name,
      size: value.length,
    })),
    history,
  };
}

/** The regular file at `path` as of `layer` (removed ones too); a hardlink gives its target. */
export function fileAt(model: ImageModel, layer: number, path: string): Placed {
  let { placed } = entryAt(model, layer, path);
  if (placed.entry.type === 'hardlink')
    placed = resolveFile(treeAt(model, layer), placed.entry.path, model.path);
  if (placed.entry.type !== 'file') {
    throw new StrataError(
      'bad-request',
      `${path} is a ${placed.entry.type}; only files have contents.`,
    );
  }
  return placed;
}

/** Up to `length` bytes of a file's content from `offset`; hardlinks read their target. */
export async function readEntryBytes(
  model: ImageModel,
  layer: number,
  path: string,
  offset: number,
  length: number,
): Promise<{ bytes: Buffer; total: number }> {
  let { placed } = entryAt(model, layer, path);
  if (placed.entry.type === 'hardlink')
    placed = resolveFile(treeAt(model, layer), placed.entry.path, model.path);
  if (placed.entry.type !== 'file') {
    throw new StrataError(
      'bad-request',
      `${path} is a ${placed.entry.type}; only files have contents.`,
    );
  }
  const total = placed.entry.size;
  const from = Math.min(Math.max(0, offset), total);
  const to = Math.min(total, from + Math.max(0, length));
  const chunks: Buffer[] = [];
  for await (const chunk of openContent(model, placed, from, to)) chunks.push(chunk as Buffer);
  return { bytes: Buffer.concat(chunks), total };
}
