/**
 * The web-mode access token: a random secret in the URL, so that other users
 * of the same machine (who can reach 127.0.0.1 too) cannot drive the engine.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Name of the cookie that carries the token for asset requests after the
 * first page load. Browsers send a 127.0.0.1 cookie to every port, so each
 * server names its own by its port: another server never finds this one's
 * token under the name it reads (it still receives the cookie: see
 * docs/security.md).
 */
export function tokenCookieName(port: number): string {
  return `phi_token_${port}`;
}

/** A new 32-byte token, URL-safe. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Constant-time comparison, so the token cannot be guessed byte by byte from timings. */
export function tokenMatches(expected: string, given: string | null | undefined): boolean {
  if (!given) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The token a request presents: `?token=` in the URL or the cookie `cookieName` set by an earlier page load. */
export function presentedToken(
  url: URL,
  cookieHeader: string | undefined,
  cookieName: string,
): string | null {
  const fromQuery = url.searchParams.get('token');
  if (fromQuery) return fromQuery;
  for (const part of (cookieHeader ?? '').split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === cookieName) return decodeURIComponent(rest.join('='));
  }
  return null;
}
