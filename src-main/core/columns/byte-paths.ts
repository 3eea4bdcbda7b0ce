// Paths interned from their ASCII bytes (without the leading slash) as a layer lists them: a run
// of entries in one directory walks the directory once, and a layer that lists again what a
// layer below it listed (a `chmod -R`, a copy made anew) names the nodes in the order they were
// made, so the node after the last is tried before the tree's table.
import { ROOT, type PathTree } from '../tree/path-tree';

const SLASH = 0x2f;

export class BytePaths {
  /** The last path's directory, copied (its length -1: none). */
  private dir = Buffer.alloc(256);
  private dirLength = -1;
  private dirNode = ROOT;
  private lastNode = ROOT;

  constructor(private readonly tree: PathTree) {}

  /** Forgets the last directory: its caller interned a path some other way meanwhile. */
  forget(): void {
    this.dirLength = -1;
  }

  /** The node of the path whose bytes after its leading slash are `bytes[from..to)`. */
  intern(bytes: Buffer, from: number, to: number): number {
    let slash = to - 1;
    while (slash >= from && bytes[slash] !== SLASH) slash--;
    const dirEnd = slash < from ? from : slash;
    if (!this.isDir(bytes, from, dirEnd)) this.walkDir(bytes, from, dirEnd);
    const { tree, dirNode } = this;
    const guess = this.lastNode + 1;
    const node =
      guess < tree.size && tree.isChildNamed(guess, dirNode, bytes, slash + 1, to)
        ? guess
        : tree.internBytes(dirNode, bytes, slash + 1, to);
    this.lastNode = node;
    return node;
  }

  private isDir(bytes: Buffer, from: number, to: number): boolean {
    const length = to - from;
    if (length !== this.dirLength) return false;
    const dir = this.dir;
    for (let i = length - 1; i >= 0; i--) if (dir[i] !== bytes[from + i]) return false;
    return true;
  }

  private walkDir(bytes: Buffer, from: number, to: number): void {
    const length = to - from;
    if (length > this.dir.length) this.dir = Buffer.alloc(Math.max(length, this.dir.length * 2));
    bytes.copy(this.dir, 0, from, to);
    this.dirLength = length;
    let node = ROOT;
    for (let start = from; start < to;) {
      let end = start;
      while (end < to && bytes[end] !== SLASH) end++;
      node = this.tree.internBytes(node, bytes, start, end);
      start = end + 1;
    }
    this.dirNode = node;
  }
}
