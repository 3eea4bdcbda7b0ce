import { describe, expect, it } from 'vitest';
import type { HistoryStep, ImageMeta } from '../../../src-main/api/model';
import { alignHistory, configRows } from './compare-tables';

function meta(config: Partial<ImageMeta['config']>, extra: Partial<ImageMeta> = {}): ImageMeta {
  return {
    id: 'sha256:0',
    tags: [],
    os: 'linux',
    architecture: 'amd64',
    created: null,
    config: {
      env: ['PATH=/usr/bin'],
      cmd: ['/bin/sh'],
      entrypoint: null,
      workingDir: '',
      user: '',
      labels: {},
      exposedPorts: [],
      volumes: [],
      ...config,
    },
    ...extra,
  };
}

describe('the config table', () => {
  it('lists every field of either image, marking the ones that differ', () => {
    const rows = configRows(
      meta({ env: ['PATH=/usr/bin', 'MODE=stable', 'OLD=1'], labels: { b: '1', a: 'x' } }),
      meta(
        {
          env: ['PATH=/usr/bin', 'MODE=beta'],
          labels: { a: 'x' },
          exposedPorts: ['80/tcp', '443/tcp'],
        },
        { architecture: 'arm64' },
      ),
    );
    expect(rows.map((r) => [r.field, r.a, r.b, r.changed])).toEqual([
      ['os', 'linux', 'linux', false],
      ['architecture', 'amd64', 'arm64', true],
      ['entrypoint', null, null, false],
      ['cmd', '["/bin/sh"]', '["/bin/sh"]', false],
      ['workingDir', null, null, false],
      ['user', null, null, false],
      ['exposedPorts', null, '443/tcp, 80/tcp', true],
      ['volumes', null, null, false],
      ['env.MODE', 'stable', 'beta', true],
      ['env.OLD', '1', null, true],
      ['env.PATH', '/usr/bin', '/usr/bin', false],
      ['label.a', 'x', 'x', false],
      ['label.b', '1', null, true],
    ]);
    expect(rows.find((r) => r.field === 'env.MODE')).toMatchObject({
      group: 'Environment',
      label: 'MODE',
    });
  });

  it('names fields as strata diff does, so its changed rows are these changed rows', () => {
    const rows = configRows(
      meta({ workingDir: '/app' }),
      meta({ workingDir: '/srv', user: 'app' }),
    );
    expect(rows.filter((r) => r.changed).map((r) => r.field)).toEqual(['workingDir', 'user']);
  });
});

const step = (command: string, layerIndex: number | null): HistoryStep => ({
  command,
  created: null,
  emptyLayer: layerIndex === null,
  layerIndex,
});

describe('the history table', () => {
  const base = [step('ADD root', 0), step('RUN install', 1), step('COPY app', 2)];

  it('shows the shared base once, then the steps aligned on their commands', () => {
    const a = [
      ...base,
      step('ENV MODE=stable', null),
      step('COPY config', 3),
      step('RUN seed', 4),
      step('CMD x', null),
    ];
    const b = [
      ...base,
      step('ENV MODE=beta', null),
      step('COPY config', 3),
      step('RUN seed', 4),
      step('RUN rm legacy', 5),
      step('CMD x', null),
    ];
    const rows = alignHistory(a, b, 3);
    expect(rows.map((r) => [r.kind, r.a?.step.command ?? null, r.b?.step.command ?? null])).toEqual(
      [
        ['shared', 'ADD root', 'ADD root'],
        ['shared', 'RUN install', 'RUN install'],
        ['shared', 'COPY app', 'COPY app'],
        ['changed', 'ENV MODE=stable', 'ENV MODE=beta'],
        ['same', 'COPY config', 'COPY config'],
        ['same', 'RUN seed', 'RUN seed'],
        ['added', null, 'RUN rm legacy'],
        ['same', 'CMD x', 'CMD x'],
      ],
    );
    expect(rows[6]!.b!.position).toBe(6);
    expect([rows[7]!.a!.position, rows[7]!.b!.position]).toEqual([6, 7]);
  });

  it('ends the shared part at the last shared layer, even when the commands go on agreeing', () => {
    const a = [...base, step('RUN build', 3)];
    const b = [...base, step('RUN build', 3)];
    expect(alignHistory(a, b, 2).map((r) => r.kind)).toEqual(['shared', 'shared', 'same', 'same']);
  });

  it('pairs replaced steps and leaves the leftovers on their side', () => {
    const a = [step('RUN a', 0), step('RUN b', 1), step('RUN c', 2)];
    const b = [step('RUN x', 0)];
    expect(
      alignHistory(a, b, 0).map((r) => [
        r.kind,
        r.a?.step.command ?? null,
        r.b?.step.command ?? null,
      ]),
    ).toEqual([
      ['changed', 'RUN a', 'RUN x'],
      ['removed', 'RUN b', null],
      ['removed', 'RUN c', null],
    ]);
  });

  it('marks everything shared for one image against itself', () => {
    expect(alignHistory(base, base, 3).every((r) => r.kind === 'shared')).toBe(true);
  });
});
