// Findings: secrets and risky files an image carries, each named with the layer and step that
// added it, and whether a later layer deleted it while the image still stores it. File contents
// are read only for small files outside system and dependency directories.
import type { Finding, FindingKind, Severity } from '../../api/findings';
import { changesOf, type ImageModel } from '../image/load-image';
import { byOffset, plainEntryReader, readEntries } from '../layer/content';
import { nextTurn } from '../io/next-turn';
import { baseName } from '../layer/entry-path';
import type { LayerEntry } from '../layer/layer-index';
import type { Placed } from '../tree/merged-tree';
import type { Change, EntryType } from '../../api/model';
import type { StoredLayer } from '../layer/content';
import { layerCommands } from '../inspect';
import {
  credentialName,
  directoryFacts,
  isEnvName,
  NOTHING_FOUND,
  readsContent,
  SCAN_BYTES,
  scanContent,
  type ContentScan,
} from './content-scan';

/** Entries looked at between turns of the event loop (the service answers meanwhile). */
const ENTRIES_PER_TURN = 16_384;
/** What a file read and scanned for secrets counts for, in entries looked at. */
const FILE_COST_IN_ENTRIES = 16;
const CACHE_ROOTS: [RegExp, string][] = [
  [/^\/var\/lib\/apt\/lists(?=\/|$)/, 'apt package lists'],
  [/^\/var\/cache\/apt(?=\/|$)/, 'apt package cache'],
  [/^\/var\/cache\/apk(?=\/|$)/, 'apk package cache'],
  [/^\/var\/cache\/(?:yum|dnf)(?=\/|$)/, 'yum/dnf package cache'],
  [/^.*\/\.npm(?=\/|$)/, 'npm cache'],
  [/^.*\/\.cache\/pip(?=\/|$)/, 'pip cache'],
  [/^.*\/\.cache\/yarn(?=\/|$)/, 'yarn cache'],
  [/^\/usr\/local\/share\/\.cache\/yarn(?=\/|$)/, 'yarn cache'],
];

const SEVERITY: Record<FindingKind, Severity> = {
  'private-key': 'high',
  token: 'high',
  'credentials-file': 'high',
  'env-file': 'medium',
  'git-directory': 'medium',
  'package-cache': 'low',
  'world-writable': 'low',
  setuid: 'info',
  setgid: 'info',
};

/** Depth-first order with each directory's children by name: the order of MergedTree.walk(). */
function treeOrder(a: string, b: string): number {
  const x = a.split('/');
  const y = b.split('/');
  for (let i = 0; i < Math.min(x.length, y.length); i++)
    if (x[i] !== y[i]) return x[i]! < y[i]! ? -1 : 1;
  return x.length - y.length;
}

/**
 * Each finding's `goneIn`: the first later layer that removed or modified its path. One question
 * to each layer for the paths of every finding below it, not one per finding and layer (which
 * would make every layer's map of changes).
 */
function fillGoneIn(source: FindingsSource, findings: Finding[]): void {
  const looking = new Map<string, Finding[]>();
  for (let layer = 0; layer < source.layerCount; layer++) {
    if (looking.size) {
      for (const [path, change] of source.changesFor(layer, new Set(looking.keys()))) {
        if (change !== 'removed' && change !== 'modified') continue;
        for (const finding of looking.get(path)!) finding.goneIn = layer;
        looking.delete(path);
      }
    }
    for (const finding of findings) {
      if (finding.layer !== layer) continue;
      const same = looking.get(finding.path);
      if (same) same.push(finding);
      else looking.set(finding.path, [finding]);
    }
  }
}

/**
 * The bytes of a layer's entries below each of its `.git` directories (one inside another counts
 * in both), in one pass: summing them per directory would read the layer once per `.git`, which a
 * crafted layer of many makes quadratic.
 */
function bytesBelowGitDirectories(entries: () => Iterable<EntryCursor>): Map<string, number> {
  const bytes = new Map<string, number>();
  for (const e of entries())
    if (e.type === 'dir' && e.name === '.git') bytes.set(e.dir + e.name, 0);
  for (const e of entries()) {
    if (!e.size) continue;
    const path = e.dir + e.name;
    for (let at = path.indexOf('/.git/'); at >= 0; at = path.indexOf('/.git/', at + 1)) {
      const root = path.slice(0, at + 5);
      const sum = bytes.get(root);
      if (sum !== undefined) bytes.set(root, sum + e.size);
    }
  }
  return bytes;
}

/**
 * One entry of a layer as the findings go through them: a cursor that the next entry moves on,
 * so that a source need not make an object or a path for each.
 */
export interface EntryCursor {
  /** The entry's directory, ending with a slash: one string for a run of entries in one directory. */
  dir: string;
  name: string;
  type: EntryType;
  size: number;
  /** The entry as its layer's index holds it. */
  entry(): LayerEntry;
}

/** A cursor over the entries of a layer index. */
function* cursorOver(entries: readonly LayerEntry[]): Generator<EntryCursor> {
  let current = entries[0]!;
  const cursor: EntryCursor = { dir: '', name: '', type: 'file', size: 0, entry: () => current };
  for (const entry of entries) {
    const { path } = entry;
    const slash = path.lastIndexOf('/');
    if (slash + 1 !== cursor.dir.length || !path.startsWith(cursor.dir))
      cursor.dir = path.slice(0, slash + 1);
    cursor.name = path.slice(slash + 1);
    cursor.type = entry.type;
    cursor.size = entry.size;
    current = entry;
    yield cursor;
  }
}

/** What the findings read of an image, from either image model. */
export interface FindingsSource {
  layerCount: number;
  /** Each layer's command. */
  commands: string[];
  /** Layer `layer`'s entries in order, through a cursor. */
  entries(layer: number): Iterable<EntryCursor>;
  /** What the scans of a streamed layer's files found (LayerIndex.contentScans). */
  contentScans(layer: number): Map<string, ContentScan> | undefined;
  stored(layer: number): StoredLayer;
  /** The final file system's files whose mode has any of `bits`, with the layers they stand in. */
  filesWithModeBits(bits: number): Placed[];
  /** The changes of those of `paths` that layer `layer` touched. */
  changesFor(layer: number, paths: ReadonlySet<string>): Map<string, Change>;
}

export function findFindings(model: ImageModel): Promise<Finding[]> {
  return findingsIn({
    layerCount: model.indexes.length,
    commands: layerCommands(model),
    entries: (layer) => cursorOver(model.indexes[layer]!.entries),
    contentScans: (layer) => model.indexes[layer]!.contentScans,
    stored: (layer) => model.layers[layer]!,
    filesWithModeBits(bits) {
      const found: Placed[] = [];
      model.tree.forEachNode(({ placed }) => {
        if (placed.entry.type === 'file' && placed.entry.mode & bits) found.push(placed);
      });
      return found;
    },
    changesFor: (layer, paths) => changesOf(model, layer).changesFor(paths),
  });
}

export async function findingsIn(source: FindingsSource): Promise<Finding[]> {
  const { commands } = source;
  const out: Finding[] = [];
  const add = (
    kind: FindingKind,
    path: string,
    layer: number,
    bytes: number,
    detail: string,
  ): void => {
    out.push({
      kind,
      severity: SEVERITY[kind],
      path,
      layer,
      command: commands[layer] ?? '',
      goneIn: null, // filled in below, for every finding at once
      bytes,
      detail,
    });
  };

  /** The findings a file's content gives. */
  const report = (entry: LayerEntry, layer: number, { secrets, envKeys }: ContentScan): void => {
    // one finding per kind of secret in a file, naming every match
    if (secrets.length) {
      const byKind = new Map<FindingKind, string[]>();
      for (const s of secrets) byKind.set(s.kind, [...(byKind.get(s.kind) ?? []), s.detail]);
      for (const [kind, details] of byKind)
        add(kind, entry.path, layer, entry.size, details.join('; '));
    }
    const name = baseName(entry.path);
    const credential = credentialName(entry.path, name);
    if (credential && !secrets.length)
      add('credentials-file', entry.path, layer, entry.size, credential);
    if (isEnvName(name) && (envKeys.length || !secrets.length)) {
      const detail = envKeys.length
        ? `secrets in an env file: ${envKeys.join(', ')}`
        : 'an env file';
      add('env-file', entry.path, layer, entry.size, detail);
    }
  };

  let sinceTurn = 0;
  /** Counts work done: true when the event loop's turn is due (the service answers meanwhile). */
  const turnDue = (cost: number): boolean => {
    sinceTurn += cost;
    if (sinceTurn < ENTRIES_PER_TURN) return false;
    sinceTurn = 0;
    return true;
  };
  for (let layer = 0; layer < source.layerCount; layer++) {
    const entries = source.entries(layer);
    const toRead: LayerEntry[] = [];
    const caches = new Map<string, { name: string; bytes: number }>();
    // Entries come grouped by directory: what the directory decides is worked out once per run.
    let dir = '';
    let facts = directoryFacts('/');
    let gitBytes: Map<string, number> | undefined;
    for (const entry of entries) {
      if (turnDue(1)) await nextTurn();
      if (entry.dir !== dir) {
        dir = entry.dir;
        facts = directoryFacts(dir);
      }
      const { name } = entry;
      if (entry.type === 'dir' && name === '.git') {
        gitBytes ??= bytesBelowGitDirectories(() => source.entries(layer));
        const path = dir + name;
        add(
          'git-directory',
          path,
          layer,
          gitBytes.get(path) ?? 0,
          'a .git directory: the repository history ships with the image',
        );
      }
      if (entry.type !== 'file') continue;
      if (facts.mayHoldCache || name.startsWith('.npm')) {
        for (const [re, what] of CACHE_ROOTS) {
          const root = re.exec(dir + name)?.[0];
          if (root) {
            const cache = caches.get(root) ?? { name: what, bytes: 0 };
            cache.bytes += entry.size;
            caches.set(root, cache);
          }
        }
      }
      if (readsContent(dir + name, entry.size, facts, name)) toRead.push(entry.entry());
    }
    for (const [root, { name, bytes }] of caches)
      add('package-cache', root, layer, bytes, `${name} stored in the image`);

    // A compressed layer's small files were scanned as it streamed; the others are read now.
    const scans = source.contentScans(layer);
    const scanned = (entry: LayerEntry): boolean => scans !== undefined && entry.size <= SCAN_BYTES;
    for (const entry of toRead) {
      if (scanned(entry)) report(entry, layer, scans!.get(entry.path) ?? NOTHING_FOUND);
    }
    const unread = toRead.filter((entry) => !scanned(entry));
    // A plain layer's files are read here, by offset, with no promise for each.
    const read = plainEntryReader(source.stored(layer));
    if (read) {
      for (const entry of unread.sort(byOffset)) {
        if (turnDue(FILE_COST_IN_ENTRIES)) await nextTurn();
        report(entry, layer, scanContent(entry.path, read(entry)));
      }
      continue;
    }
    for await (const [entry, bytes] of readEntries(source.stored(layer), unread)) {
      // the bytes read stay valid until the next entry is read
      if (turnDue(FILE_COST_IN_ENTRIES)) await nextTurn();
      report(entry, layer, scanContent(entry.path, bytes));
    }
  }

  // The few files with special bits, in the tree's order (without walking it in order).
  const special = source.filesWithModeBits(0o6002);
  special.sort((a, b) => treeOrder(a.entry.path, b.entry.path));
  for (const { entry, layer } of special) {
    const path = entry.path;
    if (entry.mode & 0o4000)
      add(
        'setuid',
        path,
        layer,
        entry.size,
        `setuid ${entry.uid === 0 ? 'root' : `uid ${entry.uid}`}`,
      );
    if (entry.mode & 0o2000) add('setgid', path, layer, entry.size, `setgid gid ${entry.gid}`);
    if (entry.mode & 0o002)
      add('world-writable', path, layer, entry.size, 'writable by every user');
  }
  fillGoneIn(source, out);
  const rank: Record<Severity, number> = { high: 0, medium: 1, low: 2, info: 3 };
  return out.sort(
    (a, b) =>
      rank[a.severity] - rank[b.severity] || a.layer - b.layer || (a.path < b.path ? -1 : 1),
  );
}
