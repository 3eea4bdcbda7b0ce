// The image config blob (image-spec config.md / docker's image JSON).
import type { ImageConfigSummary } from '../../api/model';
import { JsonReader } from './json-shape';

export interface HistoryEntry {
  createdBy: string;
  created: string | null;
  emptyLayer: boolean;
  comment: string | null;
}

export interface ImageConfig {
  os: string;
  architecture: string;
  variant: string | null;
  created: string | null;
  config: ImageConfigSummary;
  diffIds: string[];
  history: HistoryEntry[];
}

export function parseImageConfig(json: unknown, where: string): ImageConfig {
  const r = new JsonReader(where);
  const root = r.object(json, 'the image config');
  const rootfs = r.object(root.rootfs, 'rootfs');
  const diffIds = r
    .array(rootfs.diff_ids ?? [], 'rootfs.diff_ids')
    .map((d, i) => r.digest(d, `rootfs.diff_ids[${i}]`));
  const c =
    root.config === undefined || root.config === null ? {} : r.object(root.config, 'config');
  const history = r.array(root.history ?? [], 'history').map((item, i) => {
    const h = r.object(item, `history[${i}]`);
    return {
      createdBy: r.optionalString(h.created_by, `history[${i}].created_by`) ?? '',
      created: r.optionalString(h.created, `history[${i}].created`),
      emptyLayer: h.empty_layer === true,
      comment: r.optionalString(h.comment, `history[${i}].comment`),
    };
  });
  return {
    os: r.optionalString(root.os, 'os') ?? '',
    architecture: r.optionalString(root.architecture, 'architecture') ?? '',
    variant: r.optionalString(root.variant, 'variant'),
    created: r.optionalString(root.created, 'created'),
    config: {
      env: r.optionalStringList(c.Env, 'config.Env') ?? [],
      cmd: r.optionalStringList(c.Cmd, 'config.Cmd'),
      entrypoint: r.optionalStringList(c.Entrypoint, 'config.Entrypoint'),
      workingDir: r.optionalString(c.WorkingDir, 'config.WorkingDir') ?? '',
      user: r.optionalString(c.User, 'config.User') ?? '',
      labels: r.stringMap(c.Labels, 'config.Labels'),
      exposedPorts: r.keys(c.ExposedPorts, 'config.ExposedPorts'),
      volumes: r.keys(c.Volumes, 'config.Volumes'),
    },
    diffIds,
    history,
  };
}
