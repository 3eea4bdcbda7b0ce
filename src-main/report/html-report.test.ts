import { describe, expect, it } from 'vitest';
import { findFindings } from '../core/analysis/findings';
import { sizeMap } from '../core/analysis/size-map';
import { wastedPaths } from '../core/analysis/waste';
import { demoArchivePath } from '../core/demo/demo-archive';
import { loadImage } from '../core/image/load-image';
import { summarize } from '../core/inspect';
import { packTar } from '../core/tar/pack-tar';
import { demo, legacyArchive, tempArchive } from '../core/testing/layouts';
import { escapeHtml, htmlReport } from './html-report';

async function report(path: string): Promise<string> {
  const model = await loadImage(path);
  try {
    return htmlReport({
      source: path,
      inspect: summarize(model),
      findings: await findFindings(model),
      waste: await wastedPaths(model),
      sizeMap: sizeMap(model, model.indexes.length - 1, '/', { depth: 2 }),
      generatedAt: new Date(0),
    });
  } finally {
    await model.close();
  }
}

describe('the HTML report', () => {
  it('is self-contained: no scripts, no external resources, a CSP that allows neither', async () => {
    const html = await report(await demoArchivePath());
    expect(html).not.toMatch(/<script|<link |src=|href=/i);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'"`);
    expect(html).toContain('strata/demo:1.0');
    expect(html).toContain('/var/cache/apk/APKINDEX.tar.gz');
  });

  it('lays the treemap out in percent of its box, so it fills any width', async () => {
    const html = await report(await demoArchivePath());
    const tiles = [
      ...html.matchAll(/class="tm" style="left:([\d.]+)%;top:[\d.]+%;width:([\d.]+)%/g),
    ];
    expect(tiles.length).toBeGreaterThan(1);
    expect(html).not.toMatch(/class="tm" style="left:[\d.]+px/);
    const right = Math.max(...tiles.map((t) => Number(t[1]) + Number(t[2])));
    expect(right).toBeCloseTo(100, 1);
  });

  it('escapes hostile names and makes bidi controls visible', async () => {
    const image = await demo();
    const evil = await packTar([
      { name: 'app/<img src=x onerror=alert(1)>\u202egnp.exe', body: 'x'.repeat(100), mode: 0o666 },
    ]);
    const { createHash } = await import('node:crypto');
    const config = JSON.parse(image.config) as {
      rootfs: { diff_ids: string[] };
      history: unknown[];
    };
    config.rootfs.diff_ids.push(`sha256:${createHash('sha256').update(evil).digest('hex')}`);
    config.history.push({ created_by: '/bin/sh -c echo "<b>bold</b>"' });
    const path = tempArchive(
      await legacyArchive({
        ...image,
        layers: [...image.layers, evil],
        config: JSON.stringify(config),
      }),
    );
    const html = await report(path);
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('<b>bold</b>');
    expect(html).toContain('&lt;b&gt;bold&lt;/b&gt;');
    expect(html).toContain('&lt;U+202E&gt;');
    expect(escapeHtml(`"'<>&`)).toBe('&quot;&#39;&lt;&gt;&amp;');
  });
});
