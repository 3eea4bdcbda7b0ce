// Where the app's own pages come from, and the check every IPC handler and navigation makes.
// Free of electron imports so it is tested with plain vitest.

/** The renderer is served from `app://strata/` (see app-protocol.ts). */
export const APP_SCHEME = 'app';
export const APP_HOST = 'strata';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_INDEX_URL = `${APP_ORIGIN}/index.html`;

function originOf(url: string): string | null {
  try {
    const parsed = new URL(url);
    // `new URL('app://strata/x').origin` is 'null' in Node (non-special scheme): build it by hand.
    return `${parsed.protocol}//${parsed.host}`;
  } catch {
    return null;
  }
}

/**
 * True when `url` belongs to the app: `app://strata/...`, or in development the renderer dev
 * server's origin (`ELECTRON_RENDERER_URL`). Anything else (file:, https:, another host or port,
 * about:blank, '') is foreign.
 */
export function isAppUrl(url: string, devServerUrl?: string): boolean {
  const origin = originOf(url);
  if (origin === null) return false;
  if (origin === APP_ORIGIN) return true;
  if (!devServerUrl) return false;
  const devOrigin = originOf(devServerUrl);
  return (
    devOrigin !== null && /^https?:$/.test(new URL(devServerUrl).protocol) && origin === devOrigin
  );
}

/** The parts of Electron's WebFrameMain the sender check reads. */
export interface SenderFrame {
  url: string;
  parent: unknown;
}

/**
 * True when an IPC message comes from the main frame of the app's own page: never from a
 * subframe, a foreign page the window was somehow navigated to, or a frame already gone (null).
 */
export function isTrustedSenderFrame(
  frame: SenderFrame | null | undefined,
  devServerUrl: string | undefined,
): boolean {
  return frame != null && frame.parent === null && isAppUrl(frame.url, devServerUrl);
}
