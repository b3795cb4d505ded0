import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A parsed request: the route is `METHOD /path`. */
export interface Request {
  readonly query: URLSearchParams;
  /** The JSON body of a POST (null without one). */
  readonly body: unknown;
}

export interface Reply {
  readonly status: number;
  /** Sent as JSON unless it is a string (sent as is, with `type`). */
  readonly body: unknown;
  readonly type?: string;
}

export type Handler = (req: Request) => Reply | Promise<Reply>;

/** Routes keyed `GET /status`, `POST /retry`… */
export type Routes = Readonly<Record<string, Handler>>;

/** Largest request body read; control requests are small. */
const maxBody = 64 * 1024;

/**
 * A small HTTP server for control and metrics: exact routes, JSON in and out, bounded bodies. Listens on a unix socket
 * path or a TCP host/port. close() stops it, ends idle and open connections, and is idempotent.
 */
export class HttpService {
  readonly #server: http.Server;
  #closing: Promise<void> | null = null;

  private constructor(server: http.Server) {
    this.#server = server;
  }

  static async listen(at: { readonly path: string } | { readonly host: string; readonly port: number }, routes: Routes): Promise<HttpService> {
    const server = http.createServer((req, res) => void respond(routes, req, res));
    server.keepAliveTimeout = 1000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen('path' in at ? { path: at.path } : { host: at.host, port: at.port }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return new HttpService(server);
  }

  /** The TCP port (0 for a unix socket). */
  get port(): number {
    const address = this.#server.address();
    return typeof address === 'object' && address !== null ? (address as AddressInfo).port : 0;
  }

  close(): Promise<void> {
    this.#closing ??= new Promise((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
    return this.#closing;
  }
}

async function respond(routes: Routes, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  let reply: Reply;
  try {
    const url = new URL(req.url ?? '/', 'http://sluice');
    const handler = routes[`${req.method ?? 'GET'} ${url.pathname}`];
    if (!handler) reply = { status: 404, body: { error: `no route ${req.method} ${url.pathname}` } };
    else reply = await handler({ query: url.searchParams, body: await readBody(req) });
  } catch (err) {
    reply = { status: (err as { status?: number }).status ?? 500, body: { error: (err as Error).message } };
  }
  const text = typeof reply.body === 'string' ? reply.body : `${JSON.stringify(reply.body)}\n`;
  res.writeHead(reply.status, {
    'content-type': typeof reply.body === 'string' ? (reply.type ?? 'text/plain; charset=utf-8') : 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

async function readBody(req: http.IncomingMessage): Promise<unknown> {
  if (req.method !== 'POST') return null;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBody) throw Object.assign(new Error('request body too large'), { status: 413 });
    chunks.push(chunk);
  }
  if (size === 0) return null;
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw Object.assign(new Error('request body is not JSON'), { status: 400 });
  }
}
