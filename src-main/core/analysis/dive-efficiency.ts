// dive's efficiency figures, reproduced step by step (REFERENCE.md, "dive's figures"), so that
// thresholds teams tuned for dive keep their meaning. Strata's own figures are efficiency.ts.
import type { Efficiency } from '../../api/model';
import { WHITEOUT_PREFIX } from '../layer/entry-path';
import type { LayerIndex } from '../layer/layer-index';

class DiveNode {
  children: Map<string, DiveNode> | null = null;
  constructor(
    public size: number,
    /** A real directory entry; dive's implicit parents are not directories. */
    public isDir: boolean,
    public whiteout: boolean,
  ) {}

  child(name: string): DiveNode {
    this.children ??= new Map();
    let node = this.children.get(name);
    if (!node) this.children.set(name, (node = new DiveNode(0, false, false)));
    return node;
  }
}

/** One layer as dive sees it: every path component a node, whiteouts kept as `.wh.NAME` nodes. */
function layerTree(index: LayerIndex): DiveNode {
  const root = new DiveNode(0, true, false);
  const place = (path: string): DiveNode => {
    let node = root;
    for (const name of path.slice(1).split('/')) node = node.child(name);
    return node;
  };
  for (const entry of index.entries) {
    const node = place(entry.path);
    node.size = entry.type === 'file' ? entry.size : 0;
    node.isDir = entry.type === 'dir';
  }
  for (const target of index.whiteouts) {
    const slash = target.lastIndexOf('/');
    const node = place(`${target.slice(0, slash)}/${WHITEOUT_PREFIX}${target.slice(slash + 1)}`);
    node.whiteout = true;
  }
  return root;
}

function* leaves(root: DiveNode): Generator<[string, DiveNode]> {
  const stack: [string, DiveNode][] = [['', root]];
  while (stack.length) {
    const [path, node] = stack.pop()!;
    if (node !== root && !node.children?.size) yield [path, node];
    if (node.children)
      for (const [name, child] of node.children) stack.push([`${path}/${name}`, child]);
  }
}

function sizeBelow(node: DiveNode): number {
  let total = 0;
  const stack = [node];
  while (stack.length) {
    const n = stack.pop()!;
    total += n.size;
    if (n.children) stack.push(...n.children.values());
  }
  return total;
}

/**
 * Lays `upper` onto `stacked` as dive stacks trees: whiteouts remove, everything else adds or
 * updates in place (dive keeps a replaced directory's children; so does this).
 */
function stackOnto(stacked: DiveNode, upper: DiveNode): void {
  const walk: [DiveNode, DiveNode][] = [[stacked, upper]];
  while (walk.length) {
    const [lower, up] = walk.pop()!;
    if (!up.children) continue;
    for (const [name, child] of up.children) {
      if (child.whiteout) {
        lower.children?.delete(name.slice(WHITEOUT_PREFIX.length));
        continue;
      }
      const target = lower.child(name);
      if (child.size || child.isDir || !child.children) {
        target.size = child.size;
        target.isDir = child.isDir;
      }
      walk.push([target, child]);
    }
  }
}

function getNode(root: DiveNode, path: string): DiveNode | undefined {
  let node: DiveNode | undefined = root;
  for (const name of path.slice(1).split('/')) node = node?.children?.get(name);
  return node;
}

export function diveEfficiency(indexes: LayerIndex[]): Efficiency {
  const seen = new Map<string, { cumulative: number; min: number; count: number }>();
  const stacked = new DiveNode(0, true, false);
  for (const index of indexes) {
    const tree = layerTree(index);
    for (const [path, node] of leaves(tree)) {
      let key = path;
      let size = node.size;
      if (node.whiteout) {
        const slash = path.lastIndexOf('/');
        key = `${path.slice(0, slash)}/${path.slice(slash + 1 + WHITEOUT_PREFIX.length)}`;
        const previous = getNode(stacked, key);
        size = previous?.isDir ? sizeBelow(previous) : 0;
      }
      const data = seen.get(key);
      if (data) {
        data.cumulative += size;
        data.min = Math.min(data.min, size);
        data.count++;
      } else seen.set(key, { cumulative: size, min: size, count: 1 });
    }
    stackOnto(stacked, tree);
  }
  let minimum = 0;
  let cumulative = 0;
  let wastedBytes = 0;
  for (const data of seen.values()) {
    minimum += data.min;
    cumulative += data.cumulative;
    if (data.count > 1) wastedBytes += data.cumulative;
  }
  const userSize = indexes.slice(1).reduce((sum, index) => sum + index.size, 0);
  return {
    score: cumulative === 0 ? 1 : minimum / cumulative,
    wastedBytes,
    userWastedPercent: userSize === 0 ? 0 : wastedBytes / userSize,
  };
}
