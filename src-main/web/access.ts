// Who may talk to the browser-mode server: a request names this server as its Host (DNS-rebinding
// defence), comes from this server's own origin when it says where it comes from, and carries the
// session token in the query, the cookie or the X-Strata-Token header.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export const TOKEN_HEADER = 'x-strata-token';

/** A fresh session token: 32 random bytes, base64url (43 characters). */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * The cookie's name carries the port: cookies ignore ports, so two `strata web` servers on one
 * machine would otherwise overwrite each other's token.
 */
export function cookieName(port: number): string {
  return `strata-token-${port}`;
}

export function tokenCookie(port: number, token: string): string {
  return `${cookieName(port)}=${token}; HttpOnly; SameSite=Strict; Path=/`;
}

/** Compares in constant time (hashing first makes the lengths equal). */
export function sameToken(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export interface AccessRequest {
  headers: IncomingHttpHeaders;
  /** The query's `token` parameter, if any. */
  queryToken: string | null;
}

export type AccessVerdict = { ok: true; tokenFromQuery: boolean } | { ok: false; reason: string };

/** Decides whether a request (or WebSocket upgrade) may proceed. */
export function checkAccess(req: AccessRequest, port: number, token: string): AccessVerdict {
  const hosts = [`127.0.0.1:${port}`, `localhost:${port}`];
  const host = req.headers.host;
  if (!host || !hosts.includes(host)) {
    return { ok: false, reason: 'Forbidden: this server answers only to 127.0.0.1 or localhost.' };
  }
  const origin = req.headers.origin;
  if (origin !== undefined && !hosts.some((h) => origin === `http://${h}`)) {
    return { ok: false, reason: 'Forbidden: requests from other origins are refused.' };
  }
  const headerToken = req.headers[TOKEN_HEADER];
  const candidates: [string | undefined, boolean][] = [
    [req.queryToken ?? undefined, true],
    [typeof headerToken === 'string' ? headerToken : undefined, false],
    [cookieValue(req.headers.cookie, cookieName(port)), false],
  ];
  for (const [candidate, fromQuery] of candidates) {
    if (candidate !== undefined && sameToken(candidate, token)) {
      return { ok: true, tokenFromQuery: fromQuery };
    }
  }
  return {
    ok: false,
    reason: 'Forbidden: missing or wrong token. Open the URL that `strata web` printed.',
  };
}
