import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../src-main/api/findings';
import type { Change } from '../../../src-main/api/model';
import { findingSummary, findingsByPath, findingsForRow } from './finding-badges';

const finding = (over: Partial<Finding>): Finding => ({
  kind: 'private-key',
  severity: 'high',
  path: '/root/.ssh/id_ed25519',
  layer: 2,
  command: 'COPY deploy_key /root/.ssh/id_ed25519',
  goneIn: null,
  bytes: 212,
  detail: 'private key: -----BEGIN OPENSSH PRIVATE KEY-----',
  ...over,
});

describe('findingsForRow', () => {
  const key = finding({ goneIn: 6 });
  const byPath = findingsByPath([key, finding({ kind: 'setuid', path: '/usr/bin/x', layer: 5 })]);
  const kinds = (path: string, change: Change, layer: number) =>
    findingsForRow(byPath, { path, change }, layer).map((f) => f.kind);

  it('marks the row from the layer that added the file until a later layer replaced it', () => {
    expect(kinds('/root/.ssh/id_ed25519', 'added', 1)).toEqual([]);
    expect(kinds('/root/.ssh/id_ed25519', 'added', 2)).toEqual(['private-key']);
    expect(kinds('/root/.ssh/id_ed25519', 'unchanged', 5)).toEqual(['private-key']);
    expect(kinds('/usr/bin/x', 'unchanged', 6)).toEqual(['setuid']);
    expect(kinds('/etc/passwd', 'unchanged', 6)).toEqual([]);
  });

  it('marks the row of the layer that removed it (still stored), not a replacing copy', () => {
    expect(kinds('/root/.ssh/id_ed25519', 'removed', 6)).toEqual(['private-key']);
    expect(kinds('/root/.ssh/id_ed25519', 'modified', 6)).toEqual([]);
    expect(kinds('/root/.ssh/id_ed25519', 'added', 7)).toEqual([]);
  });

  it('gives one finding per kind', () => {
    const twice = findingsByPath([
      finding({ kind: 'token', path: '/app/.npmrc', layer: 3 }),
      finding({ kind: 'token', path: '/app/.npmrc', layer: 4 }),
    ]);
    expect(findingsForRow(twice, { path: '/app/.npmrc', change: 'modified' }, 4)).toHaveLength(1);
  });
});

describe('findingSummary', () => {
  it('says where the finding came from and whether it is still stored', () => {
    expect(findingSummary(finding({ goneIn: 6 }))).toBe(
      'private key (high), added in layer 2; deleted in layer 6 but still stored in layer 2: private key: -----BEGIN OPENSSH PRIVATE KEY-----',
    );
    expect(
      findingSummary(finding({ kind: 'setuid', severity: 'info', detail: 'setuid root' })),
    ).toBe('setuid (info), added in layer 2: setuid root');
  });
});
