import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** The session cookie's name. */
export const sessionCookie = 'sluice_session';

/**
 * Who may use the listener: with a token, a request carries `Authorization: Bearer <token>` or the session cookie
 * that `/login?token=` sets (an HMAC of the token under a key made at start: sessions end with the process, and the
 * cookie is not the token). Without a token (a loopback listener) everyone who can connect may. Also the CSRF token
 * the page sends back on actions. Comparisons are constant-time.
 */
export class Session {
  readonly #token: string | null;
  readonly #key = randomBytes(32);
  readonly csrf: string;

  constructor(token: string | null) {
    this.#token = token;
    this.csrf = this.#mac('csrf');
  }

  get required(): boolean {
    return this.#token !== null;
  }

  /** The cookie value a login with the right token gets. */
  get cookie(): string {
    return this.#mac(`session:${this.#token ?? ''}`);
  }

  /** True when `given` is the token. */
  matches(given: string | null): boolean {
    return this.#token !== null && given !== null && same(given, this.#token);
  }

  /** May this request read (and, with the action checks, act)? */
  allows(req: IncomingMessage): boolean {
    if (this.#token === null) return true;
    const auth = req.headers.authorization;
    if (auth?.startsWith('Bearer ') && this.matches(auth.slice('Bearer '.length).trim())) return true;
    const cookie = cookieValue(req.headers.cookie, sessionCookie);
    return cookie !== null && same(cookie, this.cookie);
  }

  /** The `Set-Cookie` header of a session. */
  setCookie(): string {
    return `${sessionCookie}=${this.cookie}; Path=/; HttpOnly; SameSite=Strict`;
  }

  #mac(what: string): string {
    return createHmac('sha256', this.#key).update(what).digest('hex');
  }
}

/** Constant-time string equality (through digests, so lengths do not leak either). */
export function same(a: string, b: string): boolean {
  const digest = (s: string) => createHmac('sha256', 'sluice').update(s).digest();
  return timingSafeEqual(digest(a), digest(b));
}

function cookieValue(header: string | undefined, name: string): string | null {
  for (const part of (header ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return null;
}
