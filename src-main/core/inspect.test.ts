import { describe, expect, it } from 'vitest';
import { inspectArchive } from './inspect';
import { demo, legacyArchive, tempArchive } from './testing/layouts';

async function withHistory(
  edit: (history: { created_by: string; empty_layer?: boolean }[]) => unknown[],
) {
  const image = await demo();
  const config = JSON.parse(image.config) as {
    history: { created_by: string; empty_layer?: boolean }[];
  };
  config.history = edit(config.history) as typeof config.history;
  return inspectArchive(
    tempArchive(await legacyArchive({ ...image, config: JSON.stringify(config) })),
  );
}

describe('history against layers', () => {
  it('maps empty-layer steps so each layer gets its own command', async () => {
    const result = await withHistory((h) => h);
    expect(result.layers.map((l) => l.command.slice(0, 24))).toEqual([
      '/bin/sh -c #(nop) ADD fi',
      '/bin/sh -c apk add --no-',
      '/bin/sh -c #(nop) COPY d',
      '/bin/sh -c rm -rf /var/c',
    ]);
    expect(result.warnings).toEqual([]);
  });

  it('warns, without failing, when the history is missing', async () => {
    const result = await withHistory(() => []);
    expect(result.layers.map((l) => l.command)).toEqual(['', '', '', '']);
    expect(result.warnings).toEqual([
      'the image config has no history: layer commands are unknown',
    ]);
  });

  it('warns when the history has more layer-making steps than there are layers', async () => {
    const result = await withHistory((h) => [...h, { created_by: '/bin/sh -c echo extra' }]);
    expect(result.history.at(-1)).toMatchObject({
      command: '/bin/sh -c echo extra',
      layerIndex: null,
      emptyLayer: false,
    });
    expect(result.warnings[0]).toMatch(
      /5 steps that make a layer but the image has 4 layers: the extra steps are shown without a layer/,
    );
  });

  it('warns when layers outnumber the history', async () => {
    const result = await withHistory((h) => h.filter((s) => !s.created_by.includes('rm -rf')));
    expect(result.layers[3]!.command).toBe('');
    expect(result.warnings[0]).toMatch(/the layers past the history have no command/);
  });
});
