import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StrataService } from '../service';
import { demo, demoV2, legacyArchive, tempArchive } from '../testing/layouts';

let service: StrataService;
let a: string;
let b: string;
beforeAll(async () => {
  service = new StrataService();
  a = (await service.open(tempArchive(await legacyArchive(await demo())), 'v1.tar')).handle;
  b = (await service.open(tempArchive(await legacyArchive(await demoV2())), 'v2.tar')).handle;
});
afterAll(() => service.closeAll());

describe('comparisons in the service', () => {
  it('summarizes, then shows the differences as a tree with both sides', async () => {
    const summary = await service.compare(a, b);
    expect(summary).toMatchObject({
      a: 'v1.tar',
      b: 'v2.tar',
      sharedLayers: 4,
      summary: { added: 1, removed: 1, modified: 2 },
    });
    expect(summary.largestGrowths.map((g) => g.path)).toEqual(['/app/CHANGELOG.md']);
    const { viewId, total } = service.openCompareView(summary.compareId, 'changes', 'name');
    expect(total).toBe(2);
    service.expandAll(viewId, true);
    const rows = service.viewRows(viewId, 0, 50).rows;
    expect(rows.map((r) => [r.path, r.change, r.diff?.aspects])).toEqual([
      ['/app', 'unchanged', []],
      ['/app/CHANGELOG.md', 'added', []],
      ['/app/public', 'unchanged', []],
      ['/app/public/logo.svg', 'removed', []],
      ['/app/server.js', 'modified', ['mode']],
      ['/etc', 'unchanged', []],
      ['/etc/os-release', 'modified', ['content']],
    ]);
    expect(rows[1]!.diff).toMatchObject({ aSize: null, bSize: '# 2.0\n- a new version\n'.length });
  });

  it('gives every row its size delta, a directory the sum of what changed below it', async () => {
    const summary = await service.compare(a, b);
    const { viewId } = service.openCompareView(summary.compareId, 'changes', 'name');
    service.expandAll(viewId, true);
    const rows = new Map(service.viewRows(viewId, 0, 50).rows.map((r) => [r.path, r.diff!]));
    const own = (path: string) => (rows.get(path)!.bSize ?? 0) - (rows.get(path)!.aSize ?? 0);
    expect(rows.get('/app/CHANGELOG.md')!.delta).toBe('# 2.0\n- a new version\n'.length);
    expect(rows.get('/app/public/logo.svg')!.delta).toBeLessThan(0);
    expect(rows.get('/app/server.js')!.delta).toBe(0);
    for (const path of ['/app/CHANGELOG.md', '/app/public/logo.svg', '/etc/os-release'])
      expect(rows.get(path)!.delta).toBe(own(path));
    expect(rows.get('/app/public')!.delta).toBe(own('/app/public/logo.svg'));
    expect(rows.get('/app')!.delta).toBe(own('/app/CHANGELOG.md') + own('/app/public/logo.svg'));
    expect(rows.get('/etc')!.delta).toBe(own('/etc/os-release'));
    // Everything shown, the same deltas: unchanged paths add nothing.
    const all = service.openCompareView(summary.compareId, 'all', 'name');
    service.expandAll(all.viewId, true);
    const everything = service.viewRows(all.viewId, 0, 50).rows;
    expect(everything.find((r) => r.path === '/app')!.diff!.delta).toBe(rows.get('/app')!.delta);
  });

  it('shows everything on request, and both sides of a changed file', async () => {
    const summary = await service.compare(a, b);
    const all = service.openCompareView(summary.compareId, 'all', 'name');
    expect(all.total).toBe(7);
    const file = await service.compareFile(summary.compareId, '/etc/os-release');
    expect(Buffer.from(file.a!.base64, 'base64').toString()).toContain('VERSION_ID=1.0');
    expect(Buffer.from(file.b!.base64, 'base64').toString()).toContain('VERSION_ID=2.0');
    expect(file.a!.digest).not.toBe(file.b!.digest);
    expect((await service.compareFile(summary.compareId, '/app/CHANGELOG.md')).a).toBeNull();
  });

  it('forgets a comparison when one of its images closes', async () => {
    const summary = await service.compare(a, b);
    const extra = (await service.openDemo()).handle;
    await service.close(extra);
    expect(() => service.openCompareView(summary.compareId, 'all', 'name')).not.toThrow();
    service.closeCompare(summary.compareId);
    expect(() => service.openCompareView(summary.compareId, 'all', 'name')).toThrow(
      /comparison is closed/,
    );
  });
});
