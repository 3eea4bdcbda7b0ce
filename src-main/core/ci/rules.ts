// `strata ci`'s rules: thresholds on the efficiency figures, judged on Strata's own figures, or on
// dive's when they come from a `.dive-ci` file (so a team's old thresholds keep their meaning).
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import type { InspectResult } from '../../api/model';
import { StrataError } from '../errors';
import { LIMITS } from '../limits';
import { parseRatio, parseSize } from './sizes';

export type RuleName = 'min-efficiency' | 'max-wasted-bytes' | 'max-user-wasted-percent';

export interface Rule {
  name: RuleName;
  threshold: number;
  /** Whose figures the rule reads. */
  figures: 'strata' | 'dive';
  /** Where the rule came from: a flag, a file, or the defaults. */
  origin: string;
}

export interface RuleResult extends Omit<Rule, 'name'> {
  name: RuleName | `no-${string}`;
  value: number;
  passed: boolean;
  /** For findings rules: the paths responsible (the first few). */
  detail?: string[];
}

/** dive's defaults when nothing is configured (its `.dive-ci` documentation). */
export const DEFAULT_RULES: Rule[] = [
  { name: 'min-efficiency', threshold: 0.9, figures: 'strata', origin: 'default' },
  { name: 'max-user-wasted-percent', threshold: 0.1, figures: 'strata', origin: 'default' },
];

const DIVE_KEYS: Record<string, RuleName> = {
  lowestEfficiency: 'min-efficiency',
  highestWastedBytes: 'max-wasted-bytes',
  highestUserWastedPercent: 'max-user-wasted-percent',
};

export function parseThreshold(name: RuleName, value: string | number, where: string): number {
  return name === 'max-wasted-bytes' ? parseSize(value, where) : parseRatio(value, where);
}

/** Reads `.strata-ci.yaml` (`rules: {min-efficiency: …}`) or dive's `.dive-ci` (`rules: {lowestEfficiency: …}`). */
export async function readRulesFile(path: string): Promise<Rule[]> {
  const text = await readFile(path, 'utf8');
  if (text.length > LIMITS.jsonBytes)
    throw new StrataError('limit', `${path}: the rules file is too large`);
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new StrataError(
      'bad-request',
      `${path}: not valid YAML (${(err as Error).message.split('\n')[0]})`,
    );
  }
  const rules = (doc as { rules?: unknown } | null)?.rules;
  if (typeof rules !== 'object' || rules === null || Array.isArray(rules)) {
    throw new StrataError('bad-request', `${path}: expected a "rules:" section`);
  }
  const out: Rule[] = [];
  for (const [key, raw] of Object.entries(rules as Record<string, unknown>)) {
    const dive = DIVE_KEYS[key];
    const name =
      dive ?? (Object.values(DIVE_KEYS).includes(key as RuleName) ? (key as RuleName) : undefined);
    if (!name) throw new StrataError('bad-request', `${path}: unknown rule "${key}"`);
    if (raw === 'disabled' || raw === false || raw === null) continue;
    if (typeof raw !== 'string' && typeof raw !== 'number')
      throw new StrataError('bad-request', `${path}: rule "${key}" needs a value`);
    out.push({
      name,
      threshold: parseThreshold(name, raw, `${path}: ${key}`),
      figures: dive ? 'dive' : 'strata',
      origin: path,
    });
  }
  return out;
}

export function judge(rules: Rule[], result: InspectResult): RuleResult[] {
  return rules.map((rule) => {
    const figures =
      rule.figures === 'dive'
        ? {
            efficiency: result.dive.efficiency,
            wasted: result.dive.wastedBytes,
            user: result.dive.userWastedPercent,
          }
        : {
            efficiency: result.efficiency.score,
            wasted: result.efficiency.wastedBytes,
            user: result.efficiency.userWastedPercent,
          };
    const value =
      rule.name === 'min-efficiency'
        ? figures.efficiency
        : rule.name === 'max-wasted-bytes'
          ? figures.wasted
          : figures.user;
    const passed =
      rule.name === 'min-efficiency' ? value >= rule.threshold : value <= rule.threshold;
    return { ...rule, value, passed };
  });
}
