// Config fields that differ between two images, one row per field (env and labels per key).
import type { ConfigDiff } from '../../api/compare';
import type { ImageConfig } from '../archive/image-config';

function envMap(env: string[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const item of env) {
    const eq = item.indexOf('=');
    map.set(eq < 0 ? item : item.slice(0, eq), eq < 0 ? '' : item.slice(eq + 1));
  }
  return map;
}

const list = (value: string[] | null): string | null =>
  value === null ? null : JSON.stringify(value);

export function diffConfig(a: ImageConfig, b: ImageConfig): ConfigDiff[] {
  const rows: ConfigDiff[] = [];
  const field = (name: string, x: string | null, y: string | null): void => {
    if (x !== y) rows.push({ field: name, a: x, b: y });
  };
  field('os', a.os, b.os);
  field('architecture', a.architecture, b.architecture);
  field('cmd', list(a.config.cmd), list(b.config.cmd));
  field('entrypoint', list(a.config.entrypoint), list(b.config.entrypoint));
  field('workingDir', a.config.workingDir, b.config.workingDir);
  field('user', a.config.user, b.config.user);
  field(
    'exposedPorts',
    list([...a.config.exposedPorts].sort()),
    list([...b.config.exposedPorts].sort()),
  );
  field('volumes', list([...a.config.volumes].sort()), list([...b.config.volumes].sort()));
  const keyed = (prefix: string, x: Map<string, string>, y: Map<string, string>): void => {
    for (const key of [...new Set([...x.keys(), ...y.keys()])].sort())
      field(`${prefix}.${key}`, x.get(key) ?? null, y.get(key) ?? null);
  };
  keyed('env', envMap(a.config.env), envMap(b.config.env));
  keyed(
    'label',
    new Map(Object.entries(a.config.labels)),
    new Map(Object.entries(b.config.labels)),
  );
  return rows;
}
