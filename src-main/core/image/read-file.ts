// A file's bytes as of one layer (`strata cat`): links followed inside the image, content read
// by offset from a plain layer or by decompressing a compressed one up to the entry.
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { StrataError } from '../errors';
import { openEntryContent } from '../layer/content';
import { clampEntryPath, joinPath, parentOf } from '../layer/entry-path';
import type { MergedTree, Placed } from '../tree/merged-tree';
import type { ImageModel } from './load-image';

const MAX_LINK_HOPS = 40;

/** The entry at `path`, following symlinks (in every component) and hardlinks within the image. */
export function resolveFile(tree: MergedTree, path: string, where: string): Placed {
  // `..` resolves as a kernel resolves it inside a root: it never climbs above `/`.
  let current = clampEntryPath(path).path ?? '/';
  for (let hops = 0; hops <= MAX_LINK_HOPS; hops++) {
    const step = walkComponents(tree, current);
    if (step.kind === 'missing')
      throw new StrataError('not-found', `${where}: no such file: ${path}`);
    if (step.kind === 'link') {
      current = step.next;
      continue;
    }
    const { entry } = step.placed;
    if (entry.type === 'hardlink') {
      current = entry.linkTarget!;
      continue;
    }
    if (entry.type !== 'file')
      throw new StrataError('bad-request', `${where}: ${path} is a ${entry.type}, not a file`);
    return step.placed;
  }
  throw new StrataError('bad-request', `${where}: ${path}: too many levels of links`);
}

type Step =
  { kind: 'missing' } | { kind: 'link'; next: string } | { kind: 'found'; placed: Placed };

/** Walks `path` one component at a time; at the first symlink, says where to continue. */
function walkComponents(tree: MergedTree, path: string): Step {
  if (path === '/') return { kind: 'found', placed: tree.root.placed };
  const parts = path.slice(1).split('/');
  let node = tree.root;
  for (let i = 0; i < parts.length; i++) {
    const child = node.children?.get(parts[i]!);
    if (!child) return { kind: 'missing' };
    const here = '/' + parts.slice(0, i + 1).join('/');
    if (child.placed.entry.type === 'symlink') {
      const target = child.placed.entry.linkTarget ?? '';
      const base = target.startsWith('/') ? target : joinPath(parentOf(here), target);
      const rest = parts.slice(i + 1).join('/');
      const next = clampEntryPath(rest ? `${base}/${rest}` : base).path ?? '/';
      return { kind: 'link', next };
    }
    node = child;
  }
  return { kind: 'found', placed: node.placed };
}

/** Streams the content of a regular-file entry. */
export function openContent(
  model: ImageModel,
  placed: Placed,
  from?: number,
  to?: number,
): Readable {
  return openEntryContent(model.layers[placed.layer]!, placed.entry, from, to);
}

export async function copyFileTo(
  model: ImageModel,
  placed: Placed,
  out: NodeJS.WritableStream,
): Promise<void> {
  await pipeline(openContent(model, placed), out, { end: false });
}
