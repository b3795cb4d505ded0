import http from 'node:http';
import type { SluiceProcess } from '../helpers/process.js';

/** The dashboard's base URL a daemon logged (`dashboard listening on http://…/`, JSON logs). */
export async function dashboardUrl(sluice: SluiceProcess): Promise<URL> {
  const line = await sluice.waitForLog('dashboard listening', (l) => l.message.startsWith('dashboard listening on '));
  return new URL(line.message.slice('dashboard listening on '.length));
}

export interface Answer {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
  json<T = any>(): T;
}

/** One HTTP request with exactly these headers (Host included, which fetch would not let a test set). */
export function request(
  url: URL, o: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: o.method ?? 'GET', headers: o.headers ?? {}, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (s: string) => (body += s)).on('end', () => resolve({
        status: res.statusCode ?? 0, headers: res.headers, body, json: () => JSON.parse(body),
      }));
    });
    req.on('error', reject);
    req.end(o.body);
  });
}

/** The headers of a well-formed retry from the dashboard's own page. */
export function actionHeaders(base: URL, csrf: string): Record<string, string> {
  return { 'content-type': 'application/json', origin: base.origin, 'sec-fetch-site': 'same-origin', 'x-csrf-token': csrf };
}
