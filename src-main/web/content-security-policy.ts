// The one Content Security Policy of the UI. index.html carries it in a <meta> tag; the browser
// mode's server and Electron's app:// protocol also send it as a header (with `frame-ancestors`,
// which only works as a header). A test compares the built index.html's tag with this text.

/** Directives for the <meta> tag: everything the renderer may load, nothing else. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  // Only the bundled module scripts: no inline script, no eval.
  "script-src 'self'",
  // Bundled stylesheets. Svelte's `style:` and `style={...}` go through the CSSOM (allowed);
  // static `style="..."` attributes in markup are blocked: put such rules in the component's CSS.
  "style-src 'self'",
  // blob:/data: for image previews of files inside a layer.
  "img-src 'self' blob: data:",
  "font-src 'self'",
  // fetch to /api/... and the WebSocket at /api/socket: 'self' covers ws: to the same host and
  // port in CSP Level 3 (Chromium since 2021), so no ws: source is listed.
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/** The same policy as an HTTP header, plus what a <meta> tag cannot say. */
export const CONTENT_SECURITY_POLICY_HEADER = `${CONTENT_SECURITY_POLICY}; frame-ancestors 'none'`;
