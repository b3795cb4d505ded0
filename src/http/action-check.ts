import type { IncomingMessage } from 'node:http';
import { same, type Session } from './session.js';

/** The header the page sends its CSRF token in. */
export const csrfHeader = 'x-csrf-token';

/**
 * Why an action request (a POST) is refused, or null when it may act: actions must be on (`http.actions`), the body
 * JSON, the `Origin` exactly this listener's origin as the request names it, `Sec-Fetch-Site` (which page script cannot
 * set) `same-origin` when the browser sends it, and the CSRF token the server gave the page in its header. A page on
 * another local port is same-site, not same-origin, and gets neither the token nor past the Origin check.
 */
export function actionRefusal(req: IncomingMessage, session: Session, actions: boolean): string | null {
  if (!actions) return 'actions are off: set http.actions: true in the config to allow retry from the dashboard';
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') return 'expected a JSON body (Content-Type: application/json)';
  const origin = req.headers.origin;
  if (origin === undefined || origin !== `http://${req.headers.host ?? ''}`) {
    return `the Origin header (${origin ?? 'missing'}) is not this dashboard's origin`;
  }
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin') return `a request from a ${site} page may not act`;
  const token = req.headers[csrfHeader];
  if (typeof token !== 'string' || !same(token, session.csrf)) return `missing or wrong ${csrfHeader} header (reload the page)`;
  return null;
}
