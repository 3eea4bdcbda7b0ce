// The built page's Content Security Policy (out/renderer/index.html, made by `npm run build`,
// which `npm test` runs before vitest).
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../web/content-security-policy';

const BUILT_INDEX = resolve(import.meta.dirname, '../../out/renderer/index.html');

function builtPolicy(): string {
  if (!existsSync(BUILT_INDEX)) {
    throw new Error(`${BUILT_INDEX} is missing: run npm run build first.`);
  }
  const html = readFileSync(BUILT_INDEX, 'utf8');
  const tags = [...html.matchAll(/<meta\s[^>]*http-equiv="Content-Security-Policy"[^>]*>/gi)];
  expect(tags, 'exactly one CSP <meta> tag').toHaveLength(1);
  const content = /content="([^"]*)"/i.exec(tags[0]?.[0] ?? '');
  if (!content?.[1]) throw new Error('The CSP <meta> tag has no content.');
  return content[1];
}

function directives(policy: string): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const part of policy.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) map.set(name, sources);
  }
  return map;
}

describe('the built renderer page', () => {
  it('carries the policy of content-security-policy.ts, word for word', () => {
    expect(builtPolicy()).toBe(CONTENT_SECURITY_POLICY);
  });

  it('denies by default and allows scripts only from itself', () => {
    const policy = directives(builtPolicy());
    expect(policy.get('default-src')).toEqual(["'none'"]);
    expect(policy.get('script-src')).toEqual(["'self'"]);
    expect(builtPolicy()).not.toContain("'unsafe-eval'");
    expect(builtPolicy()).not.toContain("'unsafe-inline'");
    expect(policy.get('base-uri')).toEqual(["'none'"]);
    expect(policy.get('form-action')).toEqual(["'none'"]);
  });

  it('connects only to its own origin (which covers its own WebSocket)', () => {
    expect(directives(builtPolicy()).get('connect-src')).toEqual(["'self'"]);
  });

  it('allows blob: and data: images for previews', () => {
    expect(directives(builtPolicy()).get('img-src')).toEqual(["'self'", 'blob:', 'data:']);
  });

  it('has no inline script in the page', () => {
    const html = readFileSync(BUILT_INDEX, 'utf8');
    for (const script of html.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/gi)) {
      expect(script[0]).toMatch(/\ssrc="/);
      expect(script[1]?.trim()).toBe('');
    }
  });
});
