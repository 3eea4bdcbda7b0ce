// The handlers main.ts gives every WebContents and the default session (Electron's security
// checklist: navigation, new windows, webviews, permissions). Free of electron imports, so the
// exact functions Electron calls are tested with plain vitest (guards.test.ts).
import { isAppUrl } from './app-origin';
import { allowPermission } from './permissions';

/** The part of a will-navigate / will-redirect / will-frame-navigate event the guard reads. */
export interface NavigationAttempt {
  url: string;
  preventDefault(): void;
}

/** Stops any navigation away from the app's own page (a link in a file, a redirect, a script). */
export function guardNavigation(event: NavigationAttempt, devServerUrl: string | undefined): void {
  if (!isAppUrl(event.url, devServerUrl)) event.preventDefault();
}

/** No <webview>, ever. */
export function refuseWebview(event: { preventDefault(): void }): void {
  event.preventDefault();
}

/** window.open, target=_blank, shift-click: no new window, whatever the URL. */
export function denyWindowOpen(): { action: 'deny' } {
  return { action: 'deny' };
}

/** session.setPermissionRequestHandler: asks allowPermission, with the requesting page's URL. */
export function permissionRequestHandler(devServerUrl: string | undefined) {
  return (
    _contents: unknown,
    permission: string,
    callback: (granted: boolean) => void,
    details: { requestingUrl: string },
  ): void => callback(allowPermission(permission, details.requestingUrl, devServerUrl));
}

/** session.setPermissionCheckHandler: the same answer for a synchronous check. */
export function permissionCheckHandler(devServerUrl: string | undefined) {
  return (_contents: unknown, permission: string, requestingOrigin: string): boolean =>
    allowPermission(permission, requestingOrigin, devServerUrl);
}
