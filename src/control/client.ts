import http from 'node:http';
import { SluiceError } from '../errors.js';
import { controlSocketPath } from './socket-path.js';

/** How long a control request may take before the daemon is reported as not answering. */
const timeoutMs = 10_000;

/**
 * Sends one request to the daemon serving `stateDir`'s control socket and returns its JSON reply; null when no daemon
 * serves it (no socket, or a stale one left by a killed daemon). Throws CONTROL_FAILED when the daemon answers with
 * an error or does not answer in time.
 */
export function controlRequest<T>(stateDir: string, method: 'GET' | 'POST', route: string, body?: unknown): Promise<T | null> {
  const socketPath = controlSocketPath(stateDir);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request({
      socketPath, path: route, method, timeout: timeoutMs,
      headers: payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (s: string) => (text += s)).on('end', () => {
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          return reject(failed(`the daemon sent a reply that is not JSON: ${text.slice(0, 200)}`));
        }
        if ((res.statusCode ?? 500) >= 400) return reject(failed(`the daemon refused ${method} ${route}: ${(json as { error?: string }).error ?? text}`));
        resolve(json as T);
      });
    });
    req.on('timeout', () => req.destroy(failed(`the daemon did not answer on ${socketPath} within ${timeoutMs} ms`)));
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT' || err.code === 'ECONNREFUSED' || err.code === 'ENOTSOCK') resolve(null);
      else reject(err instanceof SluiceError ? err : failed(`cannot reach the daemon on ${socketPath}: ${err.message}`));
    });
    req.end(payload);
  });
}

function failed(message: string): SluiceError {
  return new SluiceError('CONTROL_FAILED', message, { kind: 'fatal' });
}
