// Line diffs for the Compare view's file diff, made with jsdiff: the changes as numbered lines
// (unified) or as rows of two sides (side by side, a removed line paired with the added line
// that replaced it), the changed words of each pair, and long unchanged runs folded away.
// Pure functions; the components render the results as text, never as HTML.
import { diffLines, diffWordsWithSpace, type Change } from 'diff';

/** A piece of a line: `changed` pieces are what differs from the other side's line. */
export interface Segment {
  text: string;
  changed: boolean;
}

export interface NumberedLine {
  /** 1-based line number in its file. */
  no: number;
  text: string;
  /** The changed words, when the line is paired with the other side's. */
  segments?: Segment[];
  /** The file's last line, which has no newline after it. */
  noNewline?: boolean;
}

export type LineKind = 'same' | 'added' | 'removed';

export interface UnifiedLine {
  kind: LineKind;
  oldNo: number | null;
  newNo: number | null;
  text: string;
  segments?: Segment[];
  noNewline?: boolean;
}

/** One row of the side-by-side view: A's line on the left, B's on the right. */
export interface SplitRow {
  /** `changed`: a line of A replaced by a line of B. */
  kind: 'same' | 'changed' | 'added' | 'removed';
  left: NumberedLine | null;
  right: NumberedLine | null;
}

export interface LineDiff {
  /** Runs of lines: unchanged, removed from A, added in B (jsdiff's change objects). */
  changes: Change[];
  added: number;
  removed: number;
}

/** Lines longer than this are not diffed word by word (the whole line shows as changed). */
const MAX_WORD_DIFF_LENGTH = 2_000;

/**
 * Diffs two texts line by line, without blocking the page (jsdiff's async mode). Resolves to
 * null when the texts differ too much to diff within `timeoutMs`.
 */
export function diffTexts(a: string, b: string, timeoutMs = 4_000): Promise<LineDiff | null> {
  return new Promise((resolve) => {
    diffLines(a, b, {
      timeout: timeoutMs,
      callback: (changes) => resolve(changes ? summarize(changes) : null),
    });
  });
}

/** The same, at once (tests, small texts). */
export function diffTextsNow(a: string, b: string): LineDiff {
  return summarize(diffLines(a, b));
}

function summarize(changes: Change[]): LineDiff {
  let added = 0;
  let removed = 0;
  for (const change of changes) {
    if (change.added) added += change.count;
    else if (change.removed) removed += change.count;
  }
  return { changes, added, removed };
}

/** A change's lines, without the empty string after its last newline. */
export function splitLines(value: string): { lines: string[]; noNewline: boolean } {
  const lines = value.split('\n');
  const noNewline = lines[lines.length - 1] !== '';
  if (!noNewline) lines.pop();
  return { lines, noNewline };
}

/** The words two paired lines differ in, for each side. */
export function wordSegments(before: string, after: string): { a: Segment[]; b: Segment[] } | null {
  if (before.length > MAX_WORD_DIFF_LENGTH || after.length > MAX_WORD_DIFF_LENGTH) return null;
  const a: Segment[] = [];
  const b: Segment[] = [];
  for (const part of diffWordsWithSpace(before, after)) {
    if (!part.added) push(a, part.value, part.removed);
    if (!part.removed) push(b, part.value, part.added);
  }
  return { a, b };
}

function push(segments: Segment[], text: string, changed: boolean): void {
  const last = segments[segments.length - 1];
  if (last && last.changed === changed) last.text += text;
  else segments.push({ text, changed });
}

interface Run {
  kind: LineKind;
  lines: string[];
  noNewline: boolean;
}

function runs(changes: Change[]): Run[] {
  return changes.map((change) => ({
    kind: change.added ? 'added' : change.removed ? 'removed' : 'same',
    ...splitLines(change.value),
  }));
}

/**
 * Pairs the lines of a removed run with those of the added run right after it: the i-th
 * removed line with the i-th added line. The leftovers of the longer run stand alone.
 */
function pairs(removed: string[], added: string[]): ({ a: Segment[]; b: Segment[] } | null)[] {
  const out: ({ a: Segment[]; b: Segment[] } | null)[] = [];
  const n = Math.min(removed.length, added.length);
  for (let i = 0; i < n; i++) out.push(wordSegments(removed[i]!, added[i]!));
  return out;
}

/** The side-by-side rows of a diff. */
export function splitRows(changes: Change[]): SplitRow[] {
  const rows: SplitRow[] = [];
  const all = runs(changes);
  let oldNo = 1;
  let newNo = 1;
  const line = (no: number, text: string, last: boolean, run: Run): NumberedLine => ({
    no,
    text,
    ...(last && run.noNewline ? { noNewline: true } : {}),
  });
  for (let r = 0; r < all.length; r++) {
    const run = all[r]!;
    if (run.kind === 'same') {
      run.lines.forEach((text, i) => {
        const last = i === run.lines.length - 1;
        rows.push({
          kind: 'same',
          left: line(oldNo++, text, last, run),
          right: line(newNo++, text, last, run),
        });
      });
      continue;
    }
    // A removed run and the added run after it (jsdiff puts removals first) share rows.
    const removed = run.kind === 'removed' ? run : null;
    const next = all[r + 1];
    const added = run.kind === 'added' ? run : next?.kind === 'added' ? next : null;
    if (removed && added) r++;
    const left = removed?.lines ?? [];
    const right = added?.lines ?? [];
    const paired = pairs(left, right);
    for (let i = 0; i < Math.max(left.length, right.length); i++) {
      const l = i < left.length ? line(oldNo++, left[i]!, i === left.length - 1, removed!) : null;
      const rr = i < right.length ? line(newNo++, right[i]!, i === right.length - 1, added!) : null;
      const words = paired[i];
      if (words && l && rr) {
        l.segments = words.a;
        rr.segments = words.b;
      }
      rows.push({ kind: l && rr ? 'changed' : l ? 'removed' : 'added', left: l, right: rr });
    }
  }
  return rows;
}

/** The unified rows of a diff: removed lines before the added lines that replace them. */
export function unifiedLines(changes: Change[]): UnifiedLine[] {
  const out: UnifiedLine[] = [];
  let oldNo = 1;
  let newNo = 1;
  const all = runs(changes);
  for (let r = 0; r < all.length; r++) {
    const run = all[r]!;
    const next = all[r + 1];
    const paired =
      run.kind === 'removed' && next?.kind === 'added' ? pairs(run.lines, next.lines) : [];
    run.lines.forEach((text, i) => {
      const last = i === run.lines.length - 1;
      out.push({
        kind: run.kind,
        oldNo: run.kind === 'added' ? null : oldNo++,
        newNo: run.kind === 'removed' ? null : newNo++,
        text,
        ...(paired[i] ? { segments: paired[i]!.a } : {}),
        ...(last && run.noNewline ? { noNewline: true } : {}),
      });
    });
    if (paired.length > 0) {
      // The added run right after: its first lines carry the other half of each pair.
      r++;
      next!.lines.forEach((text, i) => {
        const last = i === next!.lines.length - 1;
        out.push({
          kind: 'added',
          oldNo: null,
          newNo: newNo++,
          text,
          ...(paired[i] ? { segments: paired[i]!.b } : {}),
          ...(last && next!.noNewline ? { noNewline: true } : {}),
        });
      });
    }
  }
  return out;
}

/** A run of unchanged rows folded away: rows `start..end-1` of the unfolded list. */
export interface Fold {
  kind: 'fold';
  start: number;
  end: number;
}

/**
 * Folds every run of unchanged rows longer than `2 * context + 1`, keeping `context` rows on
 * each side of a change (and at the file's start and end only the rows next to a change).
 * `opened` holds the `start` of folds the user opened.
 */
export function foldUnchanged<T extends { kind: string }>(
  rows: T[],
  context: number,
  opened: ReadonlySet<number> = new Set(),
): (T | Fold)[] {
  const out: (T | Fold)[] = [];
  let i = 0;
  while (i < rows.length) {
    if (rows[i]!.kind !== 'same') {
      out.push(rows[i++]!);
      continue;
    }
    let end = i;
    while (end < rows.length && rows[end]!.kind === 'same') end++;
    const keepBefore = i === 0 ? 0 : context;
    const keepAfter = end === rows.length ? 0 : context;
    const foldStart = i + keepBefore;
    const foldEnd = end - keepAfter;
    // Fold only what saves more than one row, and nothing the user opened.
    if (foldEnd - foldStart > 1 && !opened.has(foldStart)) {
      for (let k = i; k < foldStart; k++) out.push(rows[k]!);
      out.push({ kind: 'fold', start: foldStart, end: foldEnd });
      for (let k = foldEnd; k < end; k++) out.push(rows[k]!);
    } else {
      for (let k = i; k < end; k++) out.push(rows[k]!);
    }
    i = end;
  }
  return out;
}
