// How far an archive's open is, as its progress bar and line of text say it.
import type { OpeningTask } from '../state/session.svelte';
import { formatBytes } from './format';

/** 0..1 when the service says how far along it is; null while it cannot tell. */
export function openingFraction(task: OpeningTask): number | null {
  const { progress } = task;
  // Reading the first layer, how far along cannot be told: the bar slides rather than sit at 0.
  if (
    !progress ||
    progress.phase === 'reading' ||
    (progress.phase === 'indexing' && !progress.done)
  )
    return null;
  if (progress.phase === 'done') return 1;
  return progress.total ? Math.min(1, progress.done / progress.total) : null;
}

export function openingDetail(task: OpeningTask): string {
  const { progress } = task;
  if (!progress) return task.waiting;
  if (progress.phase === 'reading')
    return progress.total ? `Reading ${formatBytes(progress.total)}…` : 'Reading the archive…';
  if (progress.phase === 'indexing')
    return progress.total
      ? `Indexing layer ${Math.min(progress.done + 1, progress.total)} of ${progress.total}…`
      : 'Indexing layers…';
  return 'Finishing…';
}
