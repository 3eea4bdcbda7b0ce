import { describe, expect, it } from 'vitest';
import type { LayerSummary } from '../../../src-main/api/model';
import { baseImage, buildSteps } from './build-steps';

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

describe('baseImage', () => {
  const step = (command: string, layerIndex: number | null) => ({
    command,
    created: null,
    emptyLayer: layerIndex === null,
    layerIndex,
  });
  const image = (labels: Record<string, string> = {}) => ({ config: { labels } });

  it('ends the base at the last CMD that a layer follows', () => {
    const history = [
      step('/bin/sh -c #(nop) ADD file:abc in / ', 0),
      step('/bin/sh -c #(nop)  CMD ["/bin/sh"]', null),
      step('/bin/sh -c apk add curl', 1),
      step('/bin/sh -c #(nop)  CMD ["curl"]', null),
    ];
    expect(baseImage({ history, image: image() })).toEqual({ layers: 1, name: null });
    const labelled = image({ 'org.opencontainers.image.base.name': 'alpine:3.20' });
    expect(baseImage({ history, image: labelled })?.name).toBe('alpine:3.20');
  });

  it('says nothing when history does not tell', () => {
    const history = [step('ADD rootfs', 0), step('RUN make', 1), step('CMD ["make"]', null)];
    expect(baseImage({ history, image: image() })).toBeNull();
    expect(
      baseImage({ history: [step('CMD ["x"]', null), step('RUN a', 0)], image: image() }),
    ).toBeNull();
  });
});
