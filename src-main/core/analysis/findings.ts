// Findings: secrets and risky files an image carries, each named with the layer and step that
// added it, and whether a later layer deleted it while the image still stores it. File contents
// are read only for small files outside system and dependency directories.
import type { Finding, FindingKind, Severity } from '../../api/findings';
import { changesOf, type ImageModel } from '../image/load-image';
import { readEntries } from '../layer/content';
import { nextTurn } from '../io/next-turn';
import { baseName } from '../layer/entry-path';
import type { LayerEntry } from '../layer/layer-index';
import type { FsNode } from '../tree/merged-tree';
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
function fillGoneIn(model: ImageModel, findings: Finding[]): void {
  const looking = new Map<string, Finding[]>();
  for (let layer = 0; layer < model.indexes.length; layer++) {
    if (looking.size) {
      for (const [path, change] of changesOf(model, layer).changesFor(new Set(looking.keys()))) {
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
function bytesBelowGitDirectories(entries: readonly LayerEntry[]): Map<string, number> {
  const bytes = new Map<string, number>();
  for (const e of entries) if (e.type === 'dir' && e.path.endsWith('/.git')) bytes.set(e.path, 0);
  for (const e of entries) {
    if (!e.size) continue;
    for (let at = e.path.indexOf('/.git/'); at >= 0; at = e.path.indexOf('/.git/', at + 1)) {
      const root = e.path.slice(0, at + 5);
      const sum = bytes.get(root);
      if (sum !== undefined) bytes.set(root, sum + e.size);
    }
  }
  return bytes;
}

export async function findFindings(model: ImageModel): Promise<Finding[]> {
  const commands = layerCommands(model);
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
    const byKind = new Map<FindingKind, string[]>();
    for (const s of secrets) byKind.set(s.kind, [...(byKind.get(s.kind) ?? []), s.detail]);
    for (const [kind, details] of byKind)
      add(kind, entry.path, layer, entry.size, details.join('; '));
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
  for (const [layer, index] of model.indexes.entries()) {
    const toRead: LayerEntry[] = [];
    const caches = new Map<string, { name: string; bytes: number }>();
    // Entries come grouped by directory: what the directory decides is worked out once per run.
    let dir = '';
    let facts = directoryFacts('/');
    let gitBytes: Map<string, number> | undefined;
    for (const entry of index.entries) {
      if (++sinceTurn === ENTRIES_PER_TURN) {
        sinceTurn = 0;
        await nextTurn();
      }
      const slash = entry.path.lastIndexOf('/');
      if (slash + 1 !== dir.length || !entry.path.startsWith(dir)) {
        dir = entry.path.slice(0, slash + 1);
        facts = directoryFacts(dir);
      }
      const name = entry.path.slice(slash + 1);
      if (entry.type === 'dir' && name === '.git') {
        gitBytes ??= bytesBelowGitDirectories(index.entries);
        add(
          'git-directory',
          entry.path,
          layer,
          gitBytes.get(entry.path) ?? 0,
          'a .git directory: the repository history ships with the image',
        );
      }
      if (entry.type !== 'file') continue;
      if (facts.mayHoldCache || name.startsWith('.npm')) {
        for (const [re, what] of CACHE_ROOTS) {
          const root = re.exec(entry.path)?.[0];
          if (root) {
            const cache = caches.get(root) ?? { name: what, bytes: 0 };
            cache.bytes += entry.size;
            caches.set(root, cache);
          }
        }
      }
      if (readsContent(entry.path, entry.size, facts, name)) toRead.push(entry);
    }
    for (const [root, { name, bytes }] of caches)
      add('package-cache', root, layer, bytes, `${name} stored in the image`);

    // A compressed layer's small files were scanned as it streamed; the others are read now.
    const scans = index.contentScans;
    const scanned = (entry: LayerEntry): boolean => scans !== undefined && entry.size <= SCAN_BYTES;
    for (const entry of toRead) {
      if (scanned(entry)) report(entry, layer, scans!.get(entry.path) ?? NOTHING_FOUND);
    }
    const unread = toRead.filter((entry) => !scanned(entry));
    for await (const [entry, bytes] of readEntries(model.layers[layer]!, unread)) {
      sinceTurn += FILE_COST_IN_ENTRIES;
      if (sinceTurn >= ENTRIES_PER_TURN) {
        sinceTurn = 0;
        await nextTurn(); // the bytes read stay valid until the next entry is read
      }
      report(entry, layer, scanContent(entry.path, bytes));
    }
  }

  // The few files with special bits, in the tree's order (without walking it in order).
  const special: FsNode[] = [];
  model.tree.forEachNode((node) => {
    const { type, mode } = node.placed.entry;
    if (type === 'file' && mode & 0o6002) special.push(node);
  });
  special.sort((a, b) => treeOrder(a.placed.entry.path, b.placed.entry.path));
  for (const node of special) {
    const { entry, layer } = node.placed;
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
  fillGoneIn(model, out);
  const rank: Record<Severity, number> = { high: 0, medium: 1, low: 2, info: 3 };
  return out.sort(
    (a, b) =>
      rank[a.severity] - rank[b.severity] || a.layer - b.layer || (a.path < b.path ? -1 : 1),
  );
}
