// The Compare view's two tables, worked out from both images' inspect results: the config
// field by field (env and labels key by key, named as `strata diff` names them) and the build
// history step by step (the shared prefix once, then the two histories aligned on their
// commands). Pure functions; tested in compare-tables.test.ts.
import { diffArrays } from 'diff';
import type { HistoryStep, ImageMeta } from '../../../src-main/api/model';

export type ConfigGroup = 'Platform' | 'Run' | 'Environment' | 'Labels';

export interface ConfigRow {
  group: ConfigGroup;
  /** The field as `strata diff` names it: `cmd`, `env.PATH`, `label.org.example.x`. */
  field: string;
  /** What the table shows in the first column: `cmd`, `PATH`, `org.example.x`. */
  label: string;
  /** Null where the image does not set it. */
  a: string | null;
  b: string | null;
  changed: boolean;
}

const list = (value: string[] | null): string | null =>
  value === null ? null : JSON.stringify(value);
const text = (value: string): string | null => (value === '' ? null : value);

function envMap(env: string[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const item of env) {
    const eq = item.indexOf('=');
    map.set(eq < 0 ? item : item.slice(0, eq), eq < 0 ? '' : item.slice(eq + 1));
  }
  return map;
}

/** Every config field of either image, in a stable order, with whether the two differ. */
export function configRows(a: ImageMeta, b: ImageMeta): ConfigRow[] {
  const rows: ConfigRow[] = [];
  const add = (
    group: ConfigGroup,
    field: string,
    label: string,
    x: string | null,
    y: string | null,
  ) => rows.push({ group, field, label, a: x, b: y, changed: x !== y });
  add('Platform', 'os', 'os', text(a.os), text(b.os));
  add('Platform', 'architecture', 'architecture', text(a.architecture), text(b.architecture));
  const ca = a.config;
  const cb = b.config;
  add('Run', 'entrypoint', 'entrypoint', list(ca.entrypoint), list(cb.entrypoint));
  add('Run', 'cmd', 'cmd', list(ca.cmd), list(cb.cmd));
  add('Run', 'workingDir', 'working dir', text(ca.workingDir), text(cb.workingDir));
  add('Run', 'user', 'user', text(ca.user), text(cb.user));
  const sorted = (values: string[]) => (values.length ? [...values].sort().join(', ') : null);
  add('Run', 'exposedPorts', 'exposed ports', sorted(ca.exposedPorts), sorted(cb.exposedPorts));
  add('Run', 'volumes', 'volumes', sorted(ca.volumes), sorted(cb.volumes));
  const keyed = (
    group: ConfigGroup,
    prefix: string,
    x: Map<string, string>,
    y: Map<string, string>,
  ) => {
    for (const key of [...new Set([...x.keys(), ...y.keys()])].sort())
      add(group, `${prefix}.${key}`, key, x.get(key) ?? null, y.get(key) ?? null);
  };
  keyed('Environment', 'env', envMap(ca.env), envMap(cb.env));
  keyed('Labels', 'label', new Map(Object.entries(ca.labels)), new Map(Object.entries(cb.labels)));
  return rows;
}

export interface HistoryCell {
  /** The step's place in its image's history (0 = the oldest). */
  position: number;
  step: HistoryStep;
}

export interface HistoryRow {
  /**
   * `shared`: the same step of the shared base; `same`: the same instruction after the builds
   * departed (its layer may differ); `changed`: a step of A replaced by one of B; `added`: only
   * in B; `removed`: only in A.
   */
  kind: 'shared' | 'same' | 'changed' | 'added' | 'removed';
  a: HistoryCell | null;
  b: HistoryCell | null;
}

const sameStep = (x: HistoryStep, y: HistoryStep): boolean =>
  x.command === y.command && x.emptyLayer === y.emptyLayer;

/**
 * Both histories side by side: the steps of the shared base (the same steps, up to the last
 * shared layer) once, then the rest aligned on their commands, a removed run paired with the
 * added run that replaced it.
 */
export function alignHistory(
  a: HistoryStep[],
  b: HistoryStep[],
  sharedLayers: number,
): HistoryRow[] {
  const rows: HistoryRow[] = [];
  let i = 0;
  while (i < a.length && i < b.length) {
    const x = a[i]!;
    const y = b[i]!;
    const inBase = (s: HistoryStep) => s.layerIndex === null || s.layerIndex < sharedLayers;
    if (!sameStep(x, y) || x.layerIndex !== y.layerIndex || !inBase(x)) break;
    rows.push({ kind: 'shared', a: { position: i, step: x }, b: { position: i, step: y } });
    i++;
  }
  const restA = a.slice(i).map((step, k) => ({ position: i + k, step }));
  const restB = b.slice(i).map((step, k) => ({ position: i + k, step }));
  const parts = diffArrays(restA, restB, { comparator: (x, y) => sameStep(x.step, y.step) });
  let ia = 0;
  let ib = 0;
  for (let p = 0; p < parts.length; p++) {
    const part = parts[p]!;
    if (!part.added && !part.removed) {
      for (let k = 0; k < part.count; k++)
        rows.push({ kind: 'same', a: restA[ia++]!, b: restB[ib++]! });
      continue;
    }
    const removed = part.removed ? part.count : 0;
    const next = parts[p + 1];
    const added = part.added ? part.count : next?.added && part.removed ? next.count : 0;
    if (part.removed && next?.added) p++;
    for (let k = 0; k < Math.max(removed, added); k++) {
      const x = k < removed ? restA[ia++]! : null;
      const y = k < added ? restB[ib++]! : null;
      rows.push({ kind: x && y ? 'changed' : x ? 'removed' : 'added', a: x, b: y });
    }
  }
  return rows;
}
