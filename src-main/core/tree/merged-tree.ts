// The merged file system of a stack of layers, and what each layer changed in it
// (DESIGN.md "Semantics": added, removed, modified per path, directories on their own attributes).
import type { Change } from '../../api/model';
import { baseName, parentOf } from '../layer/entry-path';
import type { LayerEntry, LayerIndex } from '../layer/layer-index';
import { runAtOnce, turnClock, type Steps } from '../io/next-turn';

/** A path's state in the merged tree: the entry that wrote it last, and that entry's layer. */
export interface Placed {
  entry: LayerEntry;
  layer: number;
}

/**
 * A path in the merged tree. A node is its own placement and never changes: a directory written
 * over a directory is a new node holding the same children, so a node kept as a path's earlier
 * state (`before`) still tells what that state was.
 */
export class FsNode implements Placed {
  readonly children: Map<string, FsNode> | null;
  constructor(
    readonly entry: LayerEntry,
    readonly layer: number,
    children?: Map<string, FsNode>,
  ) {
    this.children = children ?? (entry.type === 'dir' ? new Map() : null);
  }

  get placed(): Placed {
    return this;
  }
}

/** Same type, size, mode, owner and link target; content still to be compared for files. */
export function sameAttributes(a: LayerEntry, b: LayerEntry): boolean {
  return (
    a.type === b.type &&
    a.size === b.size &&
    a.mode === b.mode &&
    a.uid === b.uid &&
    a.gid === b.gid &&
    a.linkTarget === b.linkTarget
  );
}

export interface ContentComparison {
  path: string;
  before: Placed;
  after: Placed;
  /** The entry's position in its layer, when the change set keeps changes by position. */
  at?: number;
}

export interface ChangeCounts {
  added: number;
  modified: number;
  removed: number;
}

/** What one layer changed, as `MergedTree.apply` records it. */
export interface LayerChangeSet {
  /** Every path this layer touched, with its change (`unchanged` for identical rewrites). */
  readonly changes: Map<string, Change>;
  /**
   * The change of each node this layer placed, as `changes` gives it by path, made pausing where
   * `due()` says a turn of the event loop is due (without making `changes`).
   */
  placedChangeSteps(due: () => boolean): Steps<(node: Placed) => Change>;
  /** How many paths it added, modified and removed (without making `changes`). */
  counts(): ChangeCounts;
  /** The changes of those of `paths` this layer touched (without making `changes`). */
  changesFor(paths: ReadonlySet<string>): Map<string, Change>;
  /**
   * The change of one path this layer touched, or undefined (without making `changes`: a layer
   * that only wrote scans its entries, about a millisecond for 100k).
   */
  changeOf(path: string): Change | undefined;
  /**
   * Calls `fn` for every path this layer touched, in the order of `changes` (without making it);
   * when the layer only wrote, with the state the layer left the path in (it stands as placed).
   */
  forEachChange(fn: (path: string, change: Change, placed?: Placed) => void): void;
  /** forEachChange, pausing where `due()` says a turn of the event loop is due. */
  forEachChangeSteps(
    fn: (path: string, change: Change, placed?: Placed) => void,
    due: () => boolean,
  ): Steps<void>;
  /**
   * True when the layer only placed its entries: it removed nothing, so no path it touched
   * had anything removed below it (a directory replaced by a file is the case it rules out).
   */
  readonly onlyWrote: boolean;
  /** A rewrite whose contents differ: `modified`, not `unchanged`. */
  markModified(item: ContentComparison): void;
  /** The state before this layer of the paths it touched that existed (null or missing: absent), e.g. what a removed path was. */
  readonly before: Map<string, Placed | null>;
  /** `before.get(path)`, without making `before` for a layer that only wrote when asked rarely. */
  placedBefore(path: string): Placed | null | undefined;
  /** Rewrites whose attributes match: `modified` or `unchanged` once contents are compared. */
  pendingContent: ContentComparison[];
  /** Oddities met while stacking (hardlinks to directories or to nothing). */
  notes: string[];
}

/** One-by-one lookups of a layer's before-state answered by a scan of its entries. */
const SCANS_BEFORE_A_MAP = 16;

/** Changes by code, as change sets keep them by entry position (the column stack too). */
export const CHANGE_OF_CODE: readonly Change[] = ['unchanged', 'added', 'modified', 'removed'];
const CODE_OF_CHANGE: Record<Change, number> = {
  unchanged: 0,
  added: 1,
  modified: 2,
  removed: 3,
};

/**
 * A layer's changes. Most layers only write entries: their changes are kept by entry position
 * in a byte array, and the map by path is made when something first asks for a path (the CLI's
 * `inspect` never does: an 80k-entry map cost a tenth of its time). Other layers give the map.
 */
class ChangeSet implements LayerChangeSet {
  private map: Map<string, Change> | null;
  private beforeMap: Map<string, Placed | null> | null;
  /** Paths looked up one by one so far (placedBefore): past a few, the map is made. */
  private lookups = 0;
  constructor(
    /** The layer's entries, when `codes` holds their changes by position. */
    private readonly entries: readonly LayerEntry[] | null,
    private readonly codes: Uint8Array | null,
    map: Map<string, Change> | null,
    /** `before`, or null when `was` holds it by entry position (with `codes`). */
    before: Map<string, Placed | null> | null,
    private readonly was: readonly (Placed | null)[] | null,
    /** What each entry placed, by position, with `codes`. */
    private readonly now: readonly Placed[] | null,
    public pendingContent: ContentComparison[],
    public notes: string[],
  ) {
    this.map = map;
    this.beforeMap = before;
  }

  get onlyWrote(): boolean {
    return this.codes !== null;
  }

  placedBefore(path: string): Placed | null | undefined {
    if (this.beforeMap || ++this.lookups > SCANS_BEFORE_A_MAP) return this.before.get(path);
    const entries = this.entries!;
    for (let i = 0; i < entries.length; i++)
      if (entries[i]!.path === path) return this.was![i] ?? undefined;
    return undefined;
  }

  get before(): Map<string, Placed | null> {
    if (!this.beforeMap) {
      const before = new Map<string, Placed | null>();
      const entries = this.entries!;
      const was = this.was!;
      for (let i = 0; i < entries.length; i++) if (was[i]) before.set(entries[i]!.path, was[i]!);
      this.beforeMap = before;
    }
    return this.beforeMap;
  }

  get changes(): Map<string, Change> {
    if (!this.map) {
      const map = new Map<string, Change>();
      const entries = this.entries!;
      const codes = this.codes!;
      for (let i = 0; i < entries.length; i++)
        map.set(entries[i]!.path, CHANGE_OF_CODE[codes[i]!]!);
      this.map = map;
    }
    return this.map;
  }

  *placedChangeSteps(due: () => boolean): Steps<(node: Placed) => Change> {
    const byPath = (map: Map<string, Change>) => (node: Placed) =>
      map.get(node.entry.path) ?? 'unchanged';
    if (this.map) return byPath(this.map);
    // A map of every path would grow in steps that cannot pause (a million paths: 0.4 s in one
    // go): only the paths whose change is not the layer's most common one are mapped.
    const entries = this.entries!;
    const codes = this.codes!;
    const counts = this.codeCounts();
    const common = counts.indexOf(Math.max(...counts));
    const others = new Map<string, Change>();
    for (let i = 0; i < entries.length; i++) {
      if (codes[i] !== common) others.set(entries[i]!.path, CHANGE_OF_CODE[codes[i]!]!);
      if ((i & 1023) === 1023 && due()) yield;
    }
    const usual = CHANGE_OF_CODE[common]!;
    // Every node this layer placed holds one of its entries, but the directories it implied.
    return (node) =>
      implicitEntries.has(node.entry) ? 'unchanged' : (others.get(node.entry.path) ?? usual);
  }

  counts(): ChangeCounts {
    const counts = this.codeCounts();
    return { added: counts[1]!, modified: counts[2]!, removed: counts[3]! };
  }

  /** How many paths have each change, by its code. */
  private codeCounts(): number[] {
    const counts = [0, 0, 0, 0];
    if (this.map) for (const change of this.map.values()) counts[CODE_OF_CHANGE[change]]!++;
    else for (const code of this.codes!) counts[code]!++;
    return counts;
  }

  changeOf(path: string): Change | undefined {
    if (this.map) return this.map.get(path);
    const entries = this.entries!;
    for (let i = 0; i < entries.length; i++)
      if (entries[i]!.path === path) return CHANGE_OF_CODE[this.codes![i]!];
    return undefined;
  }

  changesFor(paths: ReadonlySet<string>): Map<string, Change> {
    const found = new Map<string, Change>();
    if (this.map) {
      for (const path of paths) {
        const change = this.map.get(path);
        if (change) found.set(path, change);
      }
    } else if (paths.size) {
      const entries = this.entries!;
      for (let i = 0; i < entries.length; i++) {
        const path = entries[i]!.path;
        if (paths.has(path)) found.set(path, CHANGE_OF_CODE[this.codes![i]!]!);
      }
    }
    return found;
  }

  forEachChange(fn: (path: string, change: Change, placed?: Placed) => void): void {
    runAtOnce(this.forEachChangeSteps(fn, () => false));
  }

  *forEachChangeSteps(
    fn: (path: string, change: Change, placed?: Placed) => void,
    due: () => boolean,
  ): Steps<void> {
    const { entries, codes, now } = this;
    let i = 0;
    if (!codes) {
      for (const [path, change] of this.map!) {
        fn(path, change);
        if ((++i & 511) === 0 && due()) yield;
      }
      return;
    }
    for (; i < codes.length; i++) {
      fn(entries![i]!.path, CHANGE_OF_CODE[codes[i]!]!, now![i]!);
      if ((i & 511) === 511 && due()) yield;
    }
  }

  markModified(item: ContentComparison): void {
    if (this.codes && item.at !== undefined) this.codes[item.at] = CODE_OF_CHANGE.modified;
    this.map?.set(item.path, 'modified');
  }
}

/** The entries of directories a layer implied (a parent it wrote no entry for). */
const implicitEntries = new WeakSet<LayerEntry>();

/** What a directory a layer implied holds: mode 755, owned by root. */
export const IMPLIED_DIR: Omit<LayerEntry, 'path'> = {
  type: 'dir',
  size: 0,
  mode: 0o755,
  uid: 0,
  gid: 0,
  mtime: 0,
  linkTarget: null,
  dataOffset: 0,
};

function implicitDir(path: string, layer: number): FsNode {
  const entry: LayerEntry = { ...IMPLIED_DIR, path };
  implicitEntries.add(entry);
  return new FsNode(entry, layer);
}

export class MergedTree {
  readonly root = implicitDir('/', -1);

  get(path: string): FsNode | undefined {
    if (path === '/') return this.root;
    let node: FsNode | undefined = this.root;
    let start = 1;
    while (node) {
      const slash = path.indexOf('/', start);
      const name = slash < 0 ? path.slice(start) : path.slice(start, slash);
      node = node.children?.get(name);
      if (slash < 0) return node;
      start = slash + 1;
    }
    return undefined;
  }

  /**
   * `get` for many paths in a row while the tree does not change: the last parent directory is
   * remembered, so the paths of one directory cost one lookup each.
   */
  cachedLookup(): (path: string) => FsNode | undefined {
    let dirPath: string | null = null;
    let dir: FsNode | undefined;
    return (path) => {
      if (path === '/') return this.root;
      const slash = path.lastIndexOf('/');
      if (!inDirectory(path, slash, dirPath)) {
        dirPath = path.slice(0, slash);
        dir = this.get(dirPath || '/');
      }
      return dir?.children?.get(path.slice(slash + 1));
    };
  }

  /** Calls `fn` for every node below the root, in no particular order (no paths, no sorting). */
  forEachNode(fn: (node: FsNode) => void): void {
    const stack: FsNode[] = [this.root];
    while (stack.length) {
      const node = stack.pop()!;
      if (node !== this.root) fn(node);
      if (node.children) for (const child of node.children.values()) stack.push(child);
    }
  }

  /** Applies layer `layerNo` on top of the tree and reports what it changed. */
  apply(index: LayerIndex, layerNo: number): LayerChangeSet {
    return runAtOnce(this.applySteps(index, layerNo));
  }

  /** `apply` in steps, pausing every few milliseconds (a layer of a million entries takes seconds). */
  *applySteps(index: LayerIndex, layerNo: number): Steps<LayerChangeSet> {
    const due = turnClock();
    const before = new Map<string, Placed | null>();
    const remember = (path: string, node: FsNode | undefined): void => {
      if (!before.has(path)) before.set(path, node ?? null);
    };
    // Each entry's state before and after, for the change pass when only entries were remembered.
    const count = index.entries.length;
    const wasList = new Array<Placed | null>(count);
    const nowList = new Array<Placed>(count);
    let at = 0;
    /**
     * An entry's path was remembered earlier in this layer only if something other than an
     * entry remembered it (a whiteout, an opaque directory, a directory created or replaced on
     * the way, a replaced directory's children). Until then `before` is empty, wasList holds
     * what the entries placed so far replaced (null: added), and `before` gets all of them, in
     * order, when that mode ends.
     */
    let onlyEntries = true;
    const rememberOther = (path: string, node: FsNode | undefined): void => {
      if (onlyEntries) {
        onlyEntries = false;
        for (let i = 0; i < at; i++) before.set(index.entries[i]!.path, wasList[i]!);
      }
      remember(path, node);
    };
    const rememberSubtree = (path: string, node: FsNode): void => {
      for (const [p, n] of subtree(path, node)) rememberOther(p, n);
    };
    const removeChildren = (path: string, node: FsNode): void => {
      if (!node.children) return;
      for (const [p, n] of subtree(path, node)) if (n !== node) rememberOther(p, n);
      node.children.clear();
    };

    for (const dir of index.opaqueDirs) {
      const node = this.get(dir);
      if (node) removeChildren(dir, node);
    }
    for (const target of index.whiteouts) {
      const node = this.get(target);
      if (!node) continue;
      rememberSubtree(target, node);
      this.get(parentOf(target))?.children?.delete(baseName(target));
    }
    const notes: string[] = [];
    // Tar entries come grouped by directory: the parent is looked up once for each run of them.
    // A cached parent stays valid until an entry replaces a directory (which may detach it).
    let parentPath: string | null = null;
    let parent: FsNode = this.root;
    for (const entry of index.entries) {
      if ((at & 1023) === 1023 && due()) yield;
      if (entry.type === 'hardlink') {
        const target = this.get(entry.linkTarget!);
        if (!target)
          notes.push(
            `the hardlink ${entry.path} points to ${entry.linkTarget}, which does not exist`,
          );
        else if (target.children)
          notes.push(`the hardlink ${entry.path} points to the directory ${entry.linkTarget}`);
      }
      const slash = entry.path.lastIndexOf('/');
      if (!inDirectory(entry.path, slash, parentPath)) {
        parentPath = entry.path.slice(0, slash);
        parent = this.ensureDir(parentPath || '/', layerNo, rememberOther, (replaced, type) =>
          notes.push(
            `${entry.path} is written through ${replaced}, which a lower layer made a ${type}; it is read as a directory`,
          ),
        );
      }
      const name = entry.path.slice(slash + 1);
      const existing = parent.children!.get(name);
      const was = existing ?? null;
      if (!onlyEntries) remember(entry.path, existing);
      const position = at++;
      wasList[position] = was;
      let placed: FsNode;
      if (existing && existing.children && entry.type === 'dir') {
        // Directory over directory: attributes only. The cached parent may be the old node; it
        // holds the same children.
        placed = new FsNode(entry, layerNo, existing.children);
      } else {
        if (existing?.children) {
          // A directory replaced by a non-directory: the cached parent may have been inside it.
          removeChildren(entry.path, existing);
          parentPath = null;
        }
        placed = new FsNode(entry, layerNo);
      }
      parent.children!.set(name, placed);
      nowList[position] = placed;
    }

    const pendingContent: ContentComparison[] = [];
    /** The change of a path touched, and a rewrite whose contents are still to compare. */
    const classify = (
      was: Placed | null,
      now: Placed | null,
      path: string,
      at?: number,
    ): Change => {
      if (!was) return now ? 'added' : 'unchanged';
      if (!now) return 'removed';
      if (!sameAttributes(was.entry, now.entry)) return 'modified';
      if (now.entry.type === 'file' && now.entry.size > 0 && now !== was)
        pendingContent.push(
          at === undefined
            ? { path, before: was, after: now }
            : { path, before: was, after: now, at },
        );
      return 'unchanged';
    };
    if (onlyEntries) {
      // Nothing was removed or replaced on the way: every path this layer touched is one of its
      // entries, still standing where it was placed (wasList and nowList hold them in order).
      const codes = new Uint8Array(count);
      for (let i = 0; i < codes.length; i++) {
        if ((i & 1023) === 1023 && due()) yield;
        const was = wasList[i]!;
        const now = nowList[i]!;
        // The common cases first, without a call: a path added, or rewritten with a change.
        codes[i] = !was
          ? CODE_OF_CHANGE.added
          : CODE_OF_CHANGE[classify(was, now, index.entries[i]!.path, i)];
      }
      return new ChangeSet(
        index.entries,
        codes,
        null,
        null,
        wasList,
        nowList,
        pendingContent,
        notes,
      );
    }
    const changes = new Map<string, Change>();
    const lookup = this.cachedLookup();
    let n = 0;
    for (const [path, was] of before) {
      if ((++n & 1023) === 0 && due()) yield;
      const now = lookup(path)?.placed ?? null;
      if (was || now) changes.set(path, classify(was, now, path));
    }
    return new ChangeSet(null, null, changes, before, null, null, pendingContent, notes);
  }

  /**
   * Applies layer `layerNo` as `apply` does, without recording what it changed: rebuilding the
   * tree as of a lower layer costs a map operation per entry, not the change sets' five.
   */
  place(index: LayerIndex, layerNo: number): void {
    runAtOnce(this.placeSteps(index, layerNo, () => false));
  }

  /** `place`, pausing where `due()` says a turn of the event loop is due. */
  *placeSteps(index: LayerIndex, layerNo: number, due: () => boolean): Steps<void> {
    for (const dir of index.opaqueDirs) this.get(dir)?.children?.clear();
    for (const target of index.whiteouts)
      this.get(parentOf(target))?.children?.delete(baseName(target));
    let parentPath: string | null = null;
    let parent: FsNode = this.root;
    let placed = 0;
    for (const entry of index.entries) {
      if ((++placed & 1023) === 0 && due()) yield;
      const slash = entry.path.lastIndexOf('/');
      if (!inDirectory(entry.path, slash, parentPath)) {
        parentPath = entry.path.slice(0, slash);
        parent = this.ensureDir(parentPath || '/', layerNo, ignore, ignore);
      }
      const name = entry.path.slice(slash + 1);
      const existing = parent.children!.get(name);
      if (existing && existing.children && entry.type === 'dir')
        parent.children!.set(name, new FsNode(entry, layerNo, existing.children));
      else {
        parent.children!.set(name, new FsNode(entry, layerNo));
        if (existing?.children) parentPath = null; // the cached parent may have been inside it
      }
    }
  }

  /** The directory at `path`, created (implicitly, as some writers omit directory entries) where missing. */
  private ensureDir(
    path: string,
    layerNo: number,
    remember: (path: string, node: FsNode | undefined) => void,
    replacing: (path: string, type: string) => void,
  ): FsNode {
    let dir = this.root;
    if (path === '/') return dir;
    let at = 0;
    while (at < path.length) {
      const slash = path.indexOf('/', at + 1);
      const end = slash < 0 ? path.length : slash;
      const name = path.slice(at + 1, end);
      const existing = dir.children!.get(name);
      if (existing?.children) {
        dir = existing;
      } else {
        // Missing, or a non-directory standing where a directory must be: the later layer wins.
        const dirPath = path.slice(0, end);
        remember(dirPath, existing);
        if (existing) {
          replacing(dirPath, existing.placed.entry.type);
          for (const [p, n] of subtree(dirPath, existing)) remember(p, n);
        }
        const created = implicitDir(dirPath, layerNo);
        dir.children!.set(name, created);
        dir = created;
      }
      at = end;
    }
    return dir;
  }

  /** Every path below the root, depth first, children in name order. */
  *walk(): Generator<[string, FsNode]> {
    for (const item of subtree('/', this.root)) if (item[1] !== this.root) yield item;
  }
}

const ignore = (): void => {};

/**
 * Whether `path`, whose last slash is at `slash`, lies directly in `dir`: tar entries come
 * grouped by directory, so a run of them looks their parent up once.
 */
function inDirectory(path: string, slash: number, dir: string | null): boolean {
  return dir !== null && slash === dir.length && path.startsWith(dir);
}

/** `node` and everything under it, depth first without recursion (paths may be very deep). */
export function* subtree(path: string, node: FsNode): Generator<[string, FsNode]> {
  const stack: [string, FsNode][] = [[path, node]];
  while (stack.length) {
    const [p, n] = stack.pop()!;
    yield [p, n];
    if (n.children?.size) {
      const names = [...n.children.keys()].sort().reverse();
      for (const name of names)
        stack.push([p === '/' ? `/${name}` : `${p}/${name}`, n.children.get(name)!]);
    }
  }
}
