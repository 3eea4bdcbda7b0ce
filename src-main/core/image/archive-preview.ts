// What an archive says of its image before any layer is read (manifest and config): the steps
// the UI shows while the layers are indexed, as it does for an engine's image while it exports.
import type { OpeningPreview } from '../../api/model';
import type { ResolvedImage } from '../archive/resolve-image';
import { mapHistory } from '../inspect';

export function archivePreview(ref: string, resolved: ResolvedImage): OpeningPreview {
  const { config, layers } = resolved;
  const stored = (layer: number | null): number =>
    layer === null ? 0 : (layers[layer]?.blob.length ?? 0);
  const { history } = mapHistory(config.history, layers.length);
  const steps = history.map((step) => ({
    command: step.command,
    created: step.created,
    size: stored(step.layerIndex),
    layerIndex: step.layerIndex,
  }));
  // Layers the history does not reach are shown as such (inspect gives them no command either).
  const reached = history.filter((step) => step.layerIndex !== null).length;
  for (let layer = reached; layer < layers.length; layer++)
    steps.push({ command: '', created: null, size: stored(layer), layerIndex: layer });
  return {
    ref,
    id: resolved.id,
    tags: resolved.tags,
    os: config.os,
    architecture: config.architecture,
    created: config.created,
    size: layers.reduce((sum, layer) => sum + layer.blob.length, 0),
    diffIds: layers.map((layer) => layer.diffId),
    steps,
  };
}
