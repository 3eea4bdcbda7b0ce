// Which web permissions the renderer gets: none, except writing plain text to the clipboard
// (the Copy buttons) from the app's own page. Free of electron imports so it is tested directly.
import { isAppUrl } from './app-origin';

const GRANTED_TO_APP = new Set(['clipboard-sanitized-write']);

export function allowPermission(
  permission: string,
  requestingUrl: string,
  devServerUrl: string | undefined,
): boolean {
  return GRANTED_TO_APP.has(permission) && isAppUrl(requestingUrl, devServerUrl);
}
