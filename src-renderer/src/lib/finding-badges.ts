// Findings as the explorer shows them: a short word per kind (the tree's badges, the Findings
// panel), and which findings a tree row carries. Rows are matched here rather than in the
// service: findings read file contents (seconds on a large image) and arrive after the first
// rows, while rows are synchronous pages; matching a few findings against the rows on screen
// costs a map lookup per row and needs no new request when the findings arrive.
import type { Change } from '../../../src-main/api/model';
import type { Finding, FindingKind, Severity } from '../../../src-main/api/findings';

export const FINDING_WORDS: Record<FindingKind, string> = {
  'private-key': 'private key',
  token: 'secret',
  'credentials-file': 'credentials',
  'env-file': '.env',
  'git-directory': '.git',
  'package-cache': 'cache',
  setuid: 'setuid',
  setgid: 'setgid',
  'world-writable': 'world-writable',
};

export const FINDING_HINTS: Record<FindingKind, string> = {
  'private-key': 'A private key: anyone who pulls the image can read it.',
  token: 'A token or secret key matching a well-known pattern.',
  'credentials-file': 'A credentials file (registry, cloud or git credentials).',
  'env-file': 'An environment file, often holding secrets.',
  'git-directory': 'A .git directory: the repository and its history ship with the image.',
  'package-cache': 'A package manager cache: bytes the running container does not need.',
  setuid: 'Runs with its owner’s rights (setuid) whoever starts it.',
  setgid: 'Runs with its group’s rights (setgid) whoever starts it.',
  'world-writable': 'Any user in the container can change this file.',
};

/** The tone a severity is drawn in (the change colours: red, amber, the accent, neutral). */
export const SEVERITY_TONES: Record<Severity, 'removed' | 'modified' | 'accent' | 'neutral'> = {
  high: 'removed',
  medium: 'modified',
  low: 'accent',
  info: 'neutral',
};

export type FindingsByPath = ReadonlyMap<string, readonly Finding[]>;

export function findingsByPath(findings: readonly Finding[]): FindingsByPath {
  const byPath = new Map<string, Finding[]>();
  for (const finding of findings) {
    const list = byPath.get(finding.path);
    if (list) list.push(finding);
    else byPath.set(finding.path, [finding]);
  }
  return byPath;
}

/** The answer for the rows without findings (nearly all): one array, so a row's badges stay put. */
const NO_FINDINGS: readonly Finding[] = Object.freeze([]);

/**
 * The findings a row of layer `viewLayer`'s file view carries: those whose copy is the one the
 * row shows. A finding's copy is shown from the layer that added it until a later layer
 * replaced it; the row where that later layer removed it carries it too (the bytes are still
 * stored). One per kind.
 */
export function findingsForRow(
  byPath: FindingsByPath,
  row: { path: string; change: Change },
  viewLayer: number,
): readonly Finding[] {
  const candidates = byPath.get(row.path);
  if (!candidates) return NO_FINDINGS;
  const kinds = new Set<FindingKind>();
  const out: Finding[] = [];
  for (const finding of candidates) {
    if (finding.layer > viewLayer || kinds.has(finding.kind)) continue;
    const gone = finding.goneIn !== null && finding.goneIn <= viewLayer;
    const removedHere = finding.goneIn === viewLayer && row.change === 'removed';
    if (gone && !removedHere) continue;
    kinds.add(finding.kind);
    out.push(finding);
  }
  return out.length ? out : NO_FINDINGS;
}

/** One line saying what a finding is and where it came from, for a tooltip. */
export function findingSummary(finding: Finding): string {
  const stored =
    finding.goneIn === null
      ? ''
      : `; deleted in layer ${finding.goneIn} but still stored in layer ${finding.layer}`;
  return `${FINDING_WORDS[finding.kind]} (${finding.severity}), added in layer ${finding.layer}${stored}: ${finding.detail}`;
}
