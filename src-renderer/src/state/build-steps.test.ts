import { describe, expect, it } from 'vitest';
import type { LayerSummary } from '../../../src-main/api/model';
import { buildSteps } from './build-steps';

function layer(index: number, command: string): LayerSummary {
  const diffId = `sha256:${String(index).repeat(64)}`;
  return { index, diffId, size: 100, command, created: null, added: 1, modified: 0, removed: 0 };
}

describe('buildSteps', () => {
  it('keeps history order and joins layers', () => {
    const steps = buildSteps({
      layers: [layer(0, 'ADD rootfs'), layer(1, 'RUN make')],
      history: [
        { command: 'ADD rootfs', created: null, emptyLayer: false, layerIndex: 0 },
        { command: 'ENV A=1', created: null, emptyLayer: true, layerIndex: null },
        { command: 'RUN make', created: null, emptyLayer: false, layerIndex: 1 },
      ],
    });
    expect(steps.map((step) => step.kind)).toEqual(['layer', 'meta', 'layer']);
    expect(steps.map((step) => step.key)).toEqual(['layer-0', 'step-1', 'layer-1']);
  });

  it('lists layers that history does not mention', () => {
    const steps = buildSteps({ layers: [layer(0, 'a'), layer(1, 'b')], history: [] });
    expect(steps.map((step) => (step.kind === 'layer' ? step.layer.index : -1))).toEqual([0, 1]);
  });
});
