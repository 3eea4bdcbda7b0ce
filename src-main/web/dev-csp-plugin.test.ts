import { describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from './content-security-policy';
import { relaxStyleCspInDevServer, relaxStyleSrc } from './dev-csp-plugin';

const page = `<head><meta\n  http-equiv="Content-Security-Policy"\n  content="${CONTENT_SECURITY_POLICY}"\n/></head>`;

describe('relaxStyleCspInDevServer', () => {
  it('allows inline styles in the served page, and nothing else changes', () => {
    const relaxed = relaxStyleSrc(page);
    expect(relaxed).toContain("style-src 'self' 'unsafe-inline';");
    expect(relaxed.replace(" 'unsafe-inline'", '')).toBe(page);
    expect(relaxed).toContain("script-src 'self';");
  });

  it('applies to the dev server only, never to a build', () => {
    expect(relaxStyleCspInDevServer().apply).toBe('serve');
  });
});
