// A JUnit XML report of `strata ci`, one test case per rule, for CI dashboards.
import type { RuleResult } from './rules';

const escape = (text: string): string =>
  text.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!,
  );

export function junitReport(
  source: string,
  results: RuleResult[],
  describe: (r: RuleResult) => string,
): string {
  const failures = results.filter((r) => !r.passed).length;
  const cases = results.map((r) => {
    const open = `    <testcase classname="strata.ci" name="${escape(r.name)}" time="0">`;
    const body = r.passed
      ? ''
      : `\n      <failure message="${escape(describe(r))}" type="threshold">${escape(describe(r))}</failure>\n    `;
    return `${open}${body}</testcase>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="strata ci" tests="${results.length}" failures="${failures}">`,
    `  <testsuite name="${escape(source)}" tests="${results.length}" failures="${failures}" errors="0" skipped="0">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
