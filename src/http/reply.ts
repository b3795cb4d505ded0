import type { IncomingMessage, ServerResponse } from 'node:http';

/** What a route answers: JSON unless `body` is a string or Buffer (sent as is, with `type`). */
export interface Reply {
  readonly status: number;
  readonly body: unknown;
  readonly type?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** An error a route throws to answer with its status and message. */
export class HttpError extends Error {
  readonly status: number;

  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/** Largest request body read (a retry of many files is the largest). */
const maxBody = 1024 * 1024;

export function send(res: ServerResponse, reply: Reply): void {
  const raw = typeof reply.body === 'string' || Buffer.isBuffer(reply.body);
  const body = raw ? (reply.body as string | Buffer) : `${JSON.stringify(reply.body)}\n`;
  res.writeHead(reply.status, {
    'content-type': raw ? (reply.type ?? 'text/plain; charset=utf-8') : 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    ...reply.headers,
  });
  res.end(body);
}

/** The JSON body of a request; HttpError 413 beyond 1 MiB, 400 when it is not JSON. */
export async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBody) throw new HttpError(413, 'request body too large');
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new HttpError(400, 'request body is not JSON');
  }
}
