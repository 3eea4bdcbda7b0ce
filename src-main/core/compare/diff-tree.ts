// The tree a comparison view shows: only the paths that differ (with their ancestors), or the
// union of both file systems; each node carries both sides' sizes, what changed and the size
// delta (a directory's summed over everything below it).
import type { DiffResult } from '../../api/compare';
import type { Change } from '../../api/model';
import type { ImageModel } from '../image/load-image';
import { baseName, parentOf } from '../layer/entry-path';
import { subtree } from '../tree/merged-tree';
import { summarizeSizes, ViewNode } from '../view/view-tree';

export type CompareShow = 'changes' | 'all';

export function diffTree(
  a: ImageModel,
  b: ImageModel,
  diff: DiffResult,
  show: CompareShow,
): ViewNode {
  const changes = new Map(diff.files.map((f) => [f.path, f]));
  const root = new ViewNode('/', '', b.tree.root.placed, 'unchanged');
  const byPath = new Map<string, ViewNode>([['/', root]]);

  const nodeFor = (path: string): ViewNode => {
    const existing = byPath.get(path);
    if (existing) return existing;
    const parent = nodeFor(parentOf(path));
    const inA = a.tree.get(path)?.placed;
    const inB = b.tree.get(path)?.placed;
    const file = changes.get(path);
    const change: Change = file?.change ?? 'unchanged';
    const node = new ViewNode(path, baseName(path), (inB ?? inA)!, change);
    const aSize = inA ? inA.entry.size : null;
    const bSize = inB ? inB.entry.size : null;
    node.diff = { aSize, bSize, aspects: file?.aspects ?? [], delta: (bSize ?? 0) - (aSize ?? 0) };
    parent.addChild(node);
    byPath.set(path, node);
    return node;
  };

  if (show === 'all') {
    for (const [path] of subtree('/', b.tree.root)) if (path !== '/') nodeFor(path);
  }
  for (const file of diff.files) nodeFor(file.path);
  summarizeSizes(root);
  sumDeltas(root);
  return root;
}

/** A directory's delta: its own plus its children's (unchanged paths add 0), bottom-up. */
function sumDeltas(root: ViewNode): void {
  const order: ViewNode[] = [];
  const stack = [root];
  while (stack.length) {
    const node = stack.pop()!;
    order.push(node);
    if (node.children) stack.push(...node.children);
  }
  for (let i = order.length - 1; i >= 0; i--) {
    const node = order[i]!;
    if (!node.children || !node.diff) continue;
    for (const child of node.children) node.diff.delta += child.diff?.delta ?? 0;
  }
}
