import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { DiffResult } from '../api/compare';
import { demo, legacyArchive, tempArchive } from '../core/testing/layouts';
import { claimingDiffId } from '../core/testing/malformed-cases';

describe('strata diff of an archive that claims another’s layer', () => {
  it('lists what the layer really holds and warns on stderr which layer lied', async () => {
    const image = await demo();
    const trusted = tempArchive(await legacyArchive(image), 'trusted.tar');
    const hostile = tempArchive(await legacyArchive(await claimingDiffId(image)), 'hostile.tar');
    const run = spawnSync(process.execPath, ['bin/strata.js', 'diff', '--json', trusted, hostile], {
      encoding: 'utf8',
      env: { ...process.env, STRATA_INDEX_CACHE: '0' },
    });
    expect(run.status).toBe(0);
    const diff = JSON.parse(run.stdout) as DiffResult;
    expect(diff.files.map((f) => [f.path, f.change])).toEqual([
      ['/usr/lib/backdoor.so', 'added'],
      ['/usr/lib/libtiny.so.1', 'removed'],
    ]);
    expect(diff.sharedLayers).toBe(1);
    expect(run.stderr).toBe(
      `strata: warning: ${hostile} layer 1: its diff ID ${diff.layers[1]!.a!.diffId} is also claimed by a layer of ${trusted} that holds other bytes; this copy was read on its own\n`,
    );
  });
});
