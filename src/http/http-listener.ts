import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HttpSettings } from '../config/resolved.js';
import { actionRefusal } from './action-check.js';
import type { EventStream } from './event-stream.js';
import { allowedHostNames, hostNameOf } from './host-check.js';
import { HttpError, readJson, send, type Reply } from './reply.js';
import { setSecurityHeaders } from './security-headers.js';
import type { Session } from './session.js';
import { staticFile } from './static-files.js';

/** What the listener serves; the composition root fills it in. */
export interface ListenerRoutes {
  readonly metrics: () => Promise<Reply>;
  readonly healthz: () => Reply;
  /** `GET /api/<name>` handlers, by name, given the query. */
  readonly api: Readonly<Record<string, (query: URLSearchParams) => Promise<unknown>>>;
  /** `POST /api/<name>` handlers (actions), given the parsed JSON body. */
  readonly actions: Readonly<Record<string, (body: unknown) => Promise<unknown>>>;
  readonly events: EventStream;
}

/**
 * The HTTP listener (`http:`): the dashboard at `/`, its API under `/api/`, `/metrics`, `/healthz`. Every request must
 * name an allowed Host (421 otherwise) and, with a token, carry it (401; `/healthz` stays open); actions pass the
 * checks of action-check.ts (403). Every response carries the security headers. close() is idempotent.
 */
export class HttpListener {
  readonly #server: http.Server;
  readonly #events: EventStream;
  #closing: Promise<void> | null = null;

  private constructor(server: http.Server, events: EventStream) {
    this.#server = server;
    this.#events = events;
  }

  /** `session` holds the token and the CSRF token the API hands the page. */
  static async listen(settings: HttpSettings, routes: ListenerRoutes, session: Session): Promise<HttpListener> {
    const context: Context = { settings, routes, session, hosts: allowedHostNames(settings) };
    const server = http.createServer((req, res) => void respond(context, req, res));
    server.keepAliveTimeout = 5000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: settings.host, port: settings.port }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return new HttpListener(server, routes.events);
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  close(): Promise<void> {
    this.#closing ??= new Promise((resolve) => {
      this.#events.close();
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
    return this.#closing;
  }
}

interface Context {
  readonly settings: HttpSettings;
  readonly routes: ListenerRoutes;
  readonly session: Session;
  readonly hosts: ReadonlySet<string>;
}

async function respond(c: Context, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  setSecurityHeaders(res);
  try {
    const reply = await route(c, req, res);
    if (reply !== null) send(res, reply);
  } catch (err) {
    const status = err instanceof HttpError ? err.status : 500;
    if (!res.headersSent) send(res, { status, body: { error: (err as Error).message } });
    else res.destroy();
  }
}

/** The reply to a request; null when the route answered itself (the event stream). */
async function route(c: Context, req: http.IncomingMessage, res: http.ServerResponse): Promise<Reply | null> {
  const host = hostNameOf(req.headers.host);
  if (host === null || !c.hosts.has(host)) {
    return { status: 421, body: `421 Misdirected Request: this listener does not answer to the host ${req.headers.host ?? '(none)'}\n` };
  }
  const url = new URL(req.url ?? '/', 'http://sluice');
  const method = req.method ?? 'GET';
  if (method !== 'GET' && method !== 'HEAD' && method !== 'POST') return { status: 405, body: { error: `${method} is not allowed` } };
  if (method !== 'POST' && url.pathname === '/healthz') return c.routes.healthz();
  if (method !== 'POST' && url.pathname === '/login') return login(c, url.searchParams.get('token'));
  if (!c.session.allows(req)) return unauthorized(url.pathname);
  if (method === 'POST') return act(c, req, url.pathname);
  if (url.pathname === '/metrics') return c.routes.metrics();
  if (url.pathname === '/api/events') {
    return c.routes.events.attach(res) ? null : { status: 503, body: { error: 'too many live streams open; close a dashboard tab' } };
  }
  const api = url.pathname.startsWith('/api/') ? c.routes.api[url.pathname.slice('/api/'.length)] : undefined;
  if (api) return { status: 200, body: await api(url.searchParams) };
  const file = await staticFile(url.pathname);
  return file ? { status: 200, body: file.body, type: file.type } : { status: 404, body: { error: `no route ${method} ${url.pathname}` } };
}

async function act(c: Context, req: http.IncomingMessage, pathname: string): Promise<Reply> {
  const action = pathname.startsWith('/api/') ? c.routes.actions[pathname.slice('/api/'.length)] : undefined;
  if (!action) return { status: c.settings.actions ? 404 : 403, body: { error: `no action POST ${pathname}` } };
  const refusal = actionRefusal(req, c.session, c.settings.actions);
  if (refusal !== null) return { status: 403, body: { error: refusal } };
  return { status: 200, body: await action(await readJson(req)) };
}

function login(c: Context, token: string | null): Reply {
  if (!c.session.required) return { status: 303, body: '', headers: { location: '/' } };
  if (!c.session.matches(token)) return { status: 403, body: '403: wrong or missing token; open /login?token=<http.token>\n' };
  return { status: 303, body: '', headers: { location: '/', 'set-cookie': c.session.setCookie() } };
}

function unauthorized(pathname: string): Reply {
  const message = 'this dashboard needs its token: send Authorization: Bearer <http.token>, or open /login?token=<http.token> once';
  return pathname.startsWith('/api/') ? { status: 401, body: { error: message } } : { status: 401, body: `401: ${message}\n` };
}
