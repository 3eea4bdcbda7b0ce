// The `app://strata/` protocol the renderer is loaded from (rather than file://, per Electron's
// security checklist): standard and secure, so the page gets a real origin that CSP 'self' and
// the IPC sender check can name, and it serves only files inside the renderer's build folder.
import { readFile } from 'node:fs/promises';
import { protocol } from 'electron';
import { CONTENT_SECURITY_POLICY_HEADER } from '../web/content-security-policy';
import { lookupStatic } from '../web/static-files';
import { APP_HOST, APP_SCHEME } from './app-origin';

/** Must run before the app is ready. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    {
      scheme: APP_SCHEME,
      privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true },
    },
  ]);
}

function refuse(status: number, text: string): Response {
  return new Response(text, { status, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
}

/** Serves `app://strata/<path>` from `rendererDir`. Call once the app is ready. */
export function serveAppProtocol(rendererDir: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    if (url.host !== APP_HOST) return refuse(404, 'Not found.');
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return refuse(405, 'Method not allowed.');
    }
    // url.pathname is still percent-encoded: lookupStatic decodes and checks each segment.
    const found = await lookupStatic(rendererDir, url.pathname);
    if (found.kind === 'refused') return refuse(403, found.reason);
    if (found.kind === 'missing') return refuse(404, 'Not found.');
    const body = request.method === 'HEAD' ? null : await readFile(found.path);
    return new Response(body, {
      status: 200,
      headers: {
        'Content-Type': found.contentType,
        'Content-Security-Policy': CONTENT_SECURITY_POLICY_HEADER,
        'X-Content-Type-Options': 'nosniff',
        'Cache-Control': found.isIndex ? 'no-store' : 'no-cache',
      },
    });
  });
}
