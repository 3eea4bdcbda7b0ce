// In development only (`electron-vite dev`, `vite` serve), Vite injects CSS as <style> elements
// from JavaScript, which the page's `style-src 'self'` blocks: the UI would render unstyled.
// This Vite plugin adds 'unsafe-inline' to style-src in the served index.html, and only there;
// built pages keep the strict policy (renderer-csp.test.ts checks out/renderer/index.html).
import type { Plugin } from 'vite';

export function relaxStyleCspInDevServer(): Plugin {
  return {
    name: 'strata:relax-style-csp-in-dev-server',
    apply: 'serve',
    transformIndexHtml(html) {
      return relaxStyleSrc(html);
    },
  };
}

/** `style-src 'self'` -> `style-src 'self' 'unsafe-inline'` inside the CSP <meta> tag. */
export function relaxStyleSrc(html: string): string {
  return html.replace(
    /(http-equiv="Content-Security-Policy"\s+content="[^"]*style-src 'self')(?=[;"])/,
    "$1 'unsafe-inline'",
  );
}
