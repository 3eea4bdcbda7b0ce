// The preview's step -> layer mapping from the engine's history, which says sizes but not
// which steps made a layer.
import { describe, expect, it } from 'vitest';
import type { EngineHistoryItem, EngineImageDetails } from './engine-client';
import { previewOf } from './engine-open';

const details = (layers: number): EngineImageDetails => ({
  id: `sha256:${'a'.repeat(64)}`,
  tags: ['x:1'],
  digests: [],
  os: 'linux',
  architecture: 'amd64',
  created: null,
  size: 10,
  diffIds: Array.from({ length: layers }, (_, i) => `sha256:${String(i).repeat(64)}`),
});

const step = (createdBy: string, size = 0): EngineHistoryItem => ({
  id: '<missing>',
  created: null,
  createdBy,
  size,
  comment: '',
});

const layersOf = (history: EngineHistoryItem[], count: number) =>
  previewOf('x:1', details(count), history).steps.map((s) => s.layerIndex);

describe('previewOf', () => {
  it('gives a layer to steps with a size and to RUN/COPY steps without one, none to metadata', () => {
    const history = [
      step('/bin/sh -c #(nop) ADD file:abc in / ', 100),
      step('/bin/sh -c #(nop)  ENV A=1'),
      step('/bin/sh -c rm -rf /tmp/x'), // a layer that only deletes: size 0
      step('CMD ["sh"]'),
      step('/bin/sh -c #(nop) COPY file:def in /app ', 5),
    ];
    expect(layersOf(history, 3)).toEqual([0, null, 1, null, 2]);
  });

  it('settles WORKDIR by the layer count (a new folder makes an empty layer)', () => {
    const history = [
      step('ADD rootfs', 9),
      step('/bin/sh -c #(nop) WORKDIR /srv'),
      step('RUN x', 1),
    ];
    expect(layersOf(history, 3)).toEqual([0, 1, 2]);
    expect(layersOf(history, 2)).toEqual([0, null, 1]);
  });

  it('shows no layers rather than wrong ones when nothing fits', () => {
    const history = [step('ADD rootfs', 9), step('RUN x', 1)];
    expect(layersOf(history, 5)).toEqual([null, null]);
  });
});
