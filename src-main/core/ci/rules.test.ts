import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { InspectResult } from '../../api/model';
import { junitReport } from './junit';
import { judge, readRulesFile } from './rules';
import { parseRatio, parseSize } from './sizes';

const dir = mkdtempSync(join(tmpdir(), 'strata-ci-'));
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

const figures = {
  efficiency: { score: 0.9, wastedBytes: 2_000_000, userWastedPercent: 0.15 },
  dive: { efficiency: 0.8, wastedBytes: 3_000_000, userWastedPercent: 0.25 },
} as InspectResult;

describe('ci rules', () => {
  it('reads sizes as dive does (decimal units) and binary units too', () => {
    expect(parseSize('20MB', 'x')).toBe(20_000_000);
    expect(parseSize('1.5GiB', 'x')).toBe(1.5 * 1024 ** 3);
    expect(parseSize('5000', 'x')).toBe(5000);
    expect(() => parseSize('lots', 'rule')).toThrow(/rule: "lots" is not a size/);
    expect(parseRatio('0.2', 'x')).toBe(0.2);
    expect(parseRatio('20%', 'x')).toBe(0.2);
  });

  it("reads dive's .dive-ci and judges it on dive's figures", async () => {
    const rules = await readRulesFile(
      file(
        '.dive-ci',
        'rules:\n  lowestEfficiency: 0.95\n  highestWastedBytes: 20MB\n  highestUserWastedPercent: disabled\n',
      ),
    );
    expect(rules.map((r) => [r.name, r.threshold, r.figures])).toEqual([
      ['min-efficiency', 0.95, 'dive'],
      ['max-wasted-bytes', 20_000_000, 'dive'],
    ]);
    expect(judge(rules, figures).map((r) => [r.value, r.passed])).toEqual([
      [0.8, false],
      [3_000_000, true],
    ]);
  });

  it("reads dive's own example .dive-ci, comments and all", async () => {
    const example = [
      'rules:',
      '  # If the efficiency is measured below X%, mark as failed.',
      '  # Expressed as a ratio between 0-1.',
      '  lowestEfficiency: 0.95',
      '',
      '  # If the amount of wasted space is at least X or larger than X, mark as failed.',
      '  # Expressed in B, KB, MB, and GB.',
      '  highestWastedBytes: 20MB',
      '',
      '  # If the amount of wasted space makes up for X% or more of the image, mark as failed.',
      '  # Note: the base image layer is NOT included in the total image size.',
      '  # Expressed as a ratio between 0-1; fails if the threshold is met or crossed.',
      '  highestUserWastedPercent: 0.20',
      '',
    ].join('\n');
    const rules = await readRulesFile(file('.dive-ci-example', example));
    expect(rules.map((r) => [r.name, r.threshold, r.figures])).toEqual([
      ['min-efficiency', 0.95, 'dive'],
      ['max-wasted-bytes', 20_000_000, 'dive'],
      ['max-user-wasted-percent', 0.2, 'dive'],
    ]);
  });

  it("reads .strata-ci.yaml and judges it on Strata's figures", async () => {
    const rules = await readRulesFile(
      file('.strata-ci.yaml', 'rules:\n  min-efficiency: 0.85\n  max-user-wasted-percent: 10%\n'),
    );
    expect(judge(rules, figures).map((r) => [r.name, r.value, r.passed])).toEqual([
      ['min-efficiency', 0.9, true],
      ['max-user-wasted-percent', 0.15, false],
    ]);
  });

  it('names the file and the problem for a bad rules file', async () => {
    await expect(readRulesFile(file('bad.yaml', 'rules:\n  fastest: 1\n'))).rejects.toThrow(
      /bad\.yaml: unknown rule "fastest"/,
    );
    await expect(readRulesFile(file('worse.yaml', 'rules: [\n'))).rejects.toThrow(
      /worse\.yaml: not valid YAML/,
    );
  });

  it('writes JUnit XML with one case per rule and escapes what it quotes', () => {
    const xml = junitReport(
      'a&b.tar',
      judge([{ name: 'min-efficiency', threshold: 0.95, figures: 'strata', origin: 'x' }], figures),
      () => 'efficiency < "95%"',
    );
    expect(xml).toContain('<testsuite name="a&amp;b.tar" tests="1" failures="1"');
    expect(xml).toContain('<failure message="efficiency &lt; &quot;95%&quot;" type="threshold">');
  });
});
