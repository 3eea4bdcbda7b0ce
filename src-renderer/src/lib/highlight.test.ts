import { describe, expect, it } from 'vitest';
import { highlightLines, plainLines } from './highlight';

const coloured = (lines: ReturnType<typeof highlightLines>) =>
  lines.map((line) => line.map((s) => (s.colour ? `${s.colour}:${s.text}` : s.text)).join('|'));

describe('highlightLines', () => {
  it('colours JSON keys, strings and numbers, line by line', () => {
    const lines = highlightLines('{\n  "name": "x",\n  "n": 1\n}\n', 'json');
    expect(lines).toHaveLength(4);
    expect(coloured(lines)[1]).toBe('  |property:"name"|operator::| |string:"x"|punctuation:,');
    expect(coloured(lines)[2]).toContain('number:1');
  });

  it('splits tokens that span lines (a block comment) across them', () => {
    const lines = highlightLines('/* one\ntwo */ let a = 1;', 'javascript');
    expect(coloured(lines)[0]).toBe('comment:/* one');
    expect(coloured(lines)[1]?.startsWith('comment:two */')).toBe(true);
    expect(coloured(lines)[1]).toContain('keyword:let');
  });

  it('knows shell, Dockerfile, YAML, INI and markup', () => {
    expect(coloured(highlightLines('# hi\necho "$HOME"', 'bash'))[0]).toBe('comment:# hi');
    expect(coloured(highlightLines('FROM busybox\nRUN true', 'docker'))[0]).toContain(
      'keyword:FROM',
    );
    expect(coloured(highlightLines('a: 1', 'yaml'))[0]).toContain('property:a');
    const ini = coloured(highlightLines('[main]\nmode = x', 'ini'));
    expect(ini[0]).toContain('keyword:main');
    expect(ini[1]).toContain('property:mode');
    expect(coloured(highlightLines('<a href="x">', 'markup'))[0]).toContain('attr:href');
  });

  it('keeps markup as text, never interpreting it', () => {
    const text = '<script>alert(1)</script>';
    const joined = highlightLines(text, 'markup')
      .flat()
      .map((s) => s.text)
      .join('');
    expect(joined).toBe(text);
  });

  it('gives plain lines without a language', () => {
    expect(highlightLines('a\n\nb\n', null)).toEqual([
      [{ text: 'a', colour: null }],
      [],
      [{ text: 'b', colour: null }],
    ]);
    expect(plainLines('')).toEqual([[]]);
  });
});
