import { describe, expect, it } from 'vitest';
import { APP_INDEX_URL, APP_ORIGIN, isAppUrl, isTrustedSenderFrame } from './app-origin';
import { allowPermission } from './permissions';

describe('isAppUrl', () => {
  it('accepts the app protocol', () => {
    expect(APP_ORIGIN).toBe('app://strata');
    expect(isAppUrl(APP_INDEX_URL)).toBe(true);
    expect(isAppUrl('app://strata/assets/index-abc.js')).toBe(true);
    expect(isAppUrl('app://strata')).toBe(true);
  });

  it('refuses everything else', () => {
    for (const url of [
      '',
      'about:blank',
      'file:///work/out/renderer/index.html',
      'app://other/index.html',
      'app://strata.evil/index.html',
      'https://strata/index.html',
      'http://127.0.0.1:5173/',
      'javascript:alert(1)',
      'not a url',
    ]) {
      expect(isAppUrl(url), url).toBe(false);
    }
  });

  it('accepts the dev server origin only in development, and only that origin', () => {
    const dev = 'http://localhost:5173';
    expect(isAppUrl('http://localhost:5173/', dev)).toBe(true);
    expect(isAppUrl('http://localhost:5173/src/main.ts', dev)).toBe(true);
    expect(isAppUrl('http://localhost:5174/', dev)).toBe(false);
    expect(isAppUrl('http://127.0.0.1:5173/', dev)).toBe(false);
    expect(isAppUrl('https://localhost:5173/', dev)).toBe(false);
    expect(isAppUrl('file:///x', 'file:///x')).toBe(false);
  });
});

describe('allowPermission', () => {
  it('grants only clipboard writes, and only to the app', () => {
    expect(allowPermission('clipboard-sanitized-write', APP_INDEX_URL, undefined)).toBe(true);
    expect(allowPermission('clipboard-sanitized-write', 'https://evil.example/', undefined)).toBe(
      false,
    );
    for (const permission of [
      'clipboard-read',
      'media',
      'geolocation',
      'notifications',
      'openExternal',
    ]) {
      expect(allowPermission(permission, APP_INDEX_URL, undefined), permission).toBe(false);
    }
  });
});

describe('isTrustedSenderFrame', () => {
  it("trusts only the main frame of the app's page", () => {
    expect(isTrustedSenderFrame({ url: APP_INDEX_URL, parent: null }, undefined)).toBe(true);
    expect(isTrustedSenderFrame({ url: APP_INDEX_URL, parent: {} }, undefined)).toBe(false);
    expect(isTrustedSenderFrame({ url: 'https://evil.example/', parent: null }, undefined)).toBe(
      false,
    );
    expect(isTrustedSenderFrame(null, undefined)).toBe(false);
    expect(isTrustedSenderFrame(undefined, undefined)).toBe(false);
    const dev = 'http://localhost:5173';
    expect(isTrustedSenderFrame({ url: 'http://localhost:5173/', parent: null }, dev)).toBe(true);
    expect(isTrustedSenderFrame({ url: 'http://localhost:5173/', parent: null }, undefined)).toBe(
      false,
    );
  });
});
