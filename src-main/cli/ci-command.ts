import { writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { StrataError } from '../core/errors';
import type { Finding, FindingKind } from '../api/findings';
import { inspectCliSource } from './inspect-source';
import {
  DEFAULT_RULES,
  judge,
  parseThreshold,
  readRulesFile,
  type Rule,
  type RuleResult,
} from '../core/ci/rules';
import { junitReport } from '../core/ci/junit';
import { parseCommandArgs, SOURCE_OPTIONS } from './args';
import { formatBytes } from './format';
import { writeOut } from './write-out';

export async function runCi(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('ci', args, {
    ...SOURCE_OPTIONS,
    'min-efficiency': { type: 'string' },
    'max-wasted-bytes': { type: 'string' },
    'max-user-wasted-percent': { type: 'string' },
    config: { type: 'string' },
    json: { type: 'boolean' },
    junit: { type: 'string' },
    'fail-on': { type: 'string', multiple: true },
  });
  if (positionals.length !== 1) throw new StrataError('bad-request', 'ci: give exactly one SOURCE');
  const rules: Rule[] = values.config ? await readRulesFile(values.config) : [];
  for (const name of ['min-efficiency', 'max-wasted-bytes', 'max-user-wasted-percent'] as const) {
    const value = values[name];
    if (value === undefined) continue;
    const rule: Rule = {
      name,
      threshold: parseThreshold(name, value, `ci: --${name}`),
      figures: 'strata',
      origin: `--${name}`,
    };
    const at = rules.findIndex((r) => r.name === name);
    if (at >= 0)
      rules[at] = rule; // a flag overrides the file
    else rules.push(rule);
  }
  const source = positionals[0]!;
  const failOn = values['fail-on'] ?? [];
  for (const what of failOn) {
    if (!FAIL_ON[what])
      throw new StrataError(
        'bad-request',
        `ci: --fail-on takes ${Object.keys(FAIL_ON).join(', ')}, not "${what}"`,
      );
  }
  const { summary: result, findings } = await inspectCliSource(
    source,
    { image: values.image, platform: values.platform },
    { findings: failOn.length > 0 },
  );
  const results = judge(rules.length || failOn.length ? rules : DEFAULT_RULES, result);
  for (const what of failOn) results.push(findingsRule(what, findings));
  const passed = results.every((r) => r.passed);
  if (values.junit) await writeFile(values.junit, junitReport(basename(source), results, describe));
  if (values.json) {
    writeOut(
      `${JSON.stringify({ passed, efficiency: result.efficiency, dive: result.dive, rules: results }, null, 2)}\n`,
    );
  } else {
    writeOut(results.map((r) => `${r.passed ? 'PASS' : 'FAIL'}  ${describe(r)}`).join('\n') + '\n');
  }
  return passed ? 0 : 1;
}

/** `--fail-on` groups: which finding kinds make the run fail. */
const FAIL_ON: Record<string, FindingKind[]> = {
  secrets: ['private-key', 'token', 'credentials-file', 'env-file'],
  'git-directories': ['git-directory'],
  'package-caches': ['package-cache'],
  'world-writable': ['world-writable'],
};

function findingsRule(what: string, findings: Finding[]): RuleResult {
  const hits = findings.filter((f) => FAIL_ON[what]!.includes(f.kind));
  return {
    name: `no-${what}` as RuleResult['name'],
    threshold: 0,
    figures: 'strata',
    origin: '--fail-on',
    value: hits.length,
    passed: hits.length === 0,
    detail: hits
      .slice(0, 5)
      .map(
        (f) =>
          `${f.path} (layer ${f.layer}${f.goneIn === null ? '' : `, deleted in ${f.goneIn} but still stored`})`,
      ),
  };
}

const pct = (ratio: number): string => `${(ratio * 100).toFixed(2)}%`;

function describe(r: RuleResult): string {
  if (r.origin === '--fail-on') {
    return `${r.name}: ${r.value} finding${r.value === 1 ? '' : 's'}${r.detail?.length ? `: ${r.detail.join(', ')}` : ''}`;
  }
  const whose = r.figures === 'dive' ? ' (dive figures)' : '';
  const origin = r.origin === 'default' ? ', default' : '';
  switch (r.name) {
    case 'min-efficiency':
      return `${r.name}: efficiency ${pct(r.value)} ${r.passed ? '>=' : '<'} ${pct(r.threshold)}${whose}${origin}`;
    case 'max-wasted-bytes':
      return `${r.name}: wasted ${formatBytes(r.value)} (${r.value} B) ${r.passed ? '<=' : '>'} ${formatBytes(r.threshold)}${whose}${origin}`;
    default:
      return `${r.name}: ${pct(r.value)} of the layers above the base wasted ${r.passed ? '<=' : '>'} ${pct(r.threshold)}${whose}${origin}`;
  }
}
