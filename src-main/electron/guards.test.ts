// The Electron security checklist's handlers, exactly as main.ts installs them: navigation,
// redirects, frame navigation, webviews, new windows and permissions. No Electron binary is
// needed: the handlers are plain functions, and main.ts is read to prove each one is installed.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { APP_INDEX_URL } from './app-origin';
import {
  denyWindowOpen,
  guardNavigation,
  permissionCheckHandler,
  permissionRequestHandler,
  refuseWebview,
} from './guards';

/** A navigation event as Electron passes it: records whether it was stopped. */
function attempt(url: string): { url: string; preventDefault(): void; prevented: boolean } {
  const event = {
    url,
    prevented: false,
    preventDefault() {
      event.prevented = true;
    },
  };
  return event;
}

const FOREIGN = [
  'https://evil.example/',
  'http://127.0.0.1:8080/',
  'file:///etc/passwd',
  'javascript:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  'about:blank',
  'app://other/index.html',
  '',
];

describe('guardNavigation (will-navigate, will-frame-navigate, will-redirect)', () => {
  it("lets the app's own pages load", () => {
    for (const url of [APP_INDEX_URL, 'app://strata/assets/x.js']) {
      const event = attempt(url);
      guardNavigation(event, undefined);
      expect(event.prevented, url).toBe(false);
    }
  });

  it('stops every other address, whatever the scheme', () => {
    for (const url of FOREIGN) {
      const event = attempt(url);
      guardNavigation(event, undefined);
      expect(event.prevented, url).toBe(true);
    }
  });

  it('allows the dev server only in development', () => {
    const dev = 'http://localhost:5173';
    const inDev = attempt('http://localhost:5173/index.html');
    guardNavigation(inDev, dev);
    expect(inDev.prevented).toBe(false);
    const packaged = attempt('http://localhost:5173/index.html');
    guardNavigation(packaged, undefined);
    expect(packaged.prevented).toBe(true);
  });
});

describe('new windows and webviews', () => {
  it('denies every window.open, whatever the URL', () => {
    expect(denyWindowOpen()).toEqual({ action: 'deny' });
  });

  it('refuses every <webview>', () => {
    const event = attempt('');
    refuseWebview(event);
    expect(event.prevented).toBe(true);
  });
});

describe('permission handlers', () => {
  it('deny by default: only clipboard writes, only for the app', () => {
    const request = permissionRequestHandler(undefined);
    const check = permissionCheckHandler(undefined);
    const answer = (permission: string, url: string): boolean => {
      let granted: boolean | undefined;
      request(null, permission, (g) => (granted = g), { requestingUrl: url });
      expect(check(null, permission, url)).toBe(granted);
      return granted!;
    };
    expect(answer('clipboard-sanitized-write', APP_INDEX_URL)).toBe(true);
    expect(answer('clipboard-sanitized-write', 'https://evil.example/')).toBe(false);
    for (const permission of [
      'media',
      'geolocation',
      'notifications',
      'openExternal',
      'fullscreen',
      'pointerLock',
      'clipboard-read',
      'fileSystem',
      'hid',
      'serial',
      'usb',
      'unknown',
    ]) {
      expect(answer(permission, APP_INDEX_URL), permission).toBe(false);
    }
  });
});

describe('main.ts installs them', () => {
  const main = readFileSync('src-main/electron/main.ts', 'utf8');

  it('on every WebContents created, before anything loads', () => {
    expect(main).toMatch(
      /app\.on\('web-contents-created', \(_event, contents\) => harden\(contents\)\)/,
    );
    for (const event of ['will-navigate', 'will-frame-navigate', 'will-redirect']) {
      expect(main).toContain(
        `contents.on('${event}', (event) => guardNavigation(event, devServerUrl));`,
      );
    }
    expect(main).toContain("contents.on('will-attach-webview', refuseWebview);");
    expect(main).toContain('contents.setWindowOpenHandler(denyWindowOpen);');
  });

  it('on the default session, and sandboxes every renderer', () => {
    expect(main).toContain(
      'ses.setPermissionRequestHandler(permissionRequestHandler(devServerUrl));',
    );
    expect(main).toContain('ses.setPermissionCheckHandler(permissionCheckHandler(devServerUrl));');
    expect(main).toContain('app.enableSandbox();');
    expect(main).toContain('new BrowserWindow(mainWindowOptions(PRELOAD_PATH))');
    // The dev server is honoured only outside a packaged app.
    expect(main).toMatch(/const devServerUrl = app\.isPackaged \? undefined : /);
  });
});
