import { isIP } from 'node:net';
import { z } from 'zod';

/** True for a host name or address that only this machine can reach: `localhost`, 127.0.0.0/8, ::1. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  if (h.startsWith('::ffff:')) return isLoopback(h.slice('::ffff:'.length));
  return isIP(h) === 4 && h.startsWith('127.');
}

const hostName = z.string({ error: 'expected a host name or address' }).min(1, 'expected a host name or address')
  .regex(/^[A-Za-z0-9.:%_-]+$/, 'expected a host name or address, such as 127.0.0.1, ::1 or 0.0.0.0');

/**
 * `http: { host, port, token, actions, allowedHosts }`: where the dashboard, its API, `/metrics` and `/healthz` are
 * served. Bound to anything but loopback, a token is required (anyone on the network could reach it otherwise).
 */
export const httpSchema = z.strictObject({
  host: hostName.default('127.0.0.1'),
  port: z.number({ error: 'expected a TCP port (0 picks a free one)' }).int('expected a whole port number')
    .min(0, 'expected a port from 0 to 65535').max(65535, 'expected a port from 0 to 65535'),
  token: z.string({ error: 'expected a secret string or null' }).min(1, 'expected a secret (openssl rand -hex 32 makes one), got an empty string')
    .regex(/^[\x21-\x7e]+$/, 'expected printable characters without spaces').nullable().default(null),
  actions: z.boolean({ error: 'expected true or false' }).default(false),
  /** Host names, besides the listener's own address and localhost, that requests may name (a DNS name, a proxy). */
  allowedHosts: z.array(hostName, { error: 'expected a list of host names' }).max(100).default([]),
}, { error: 'expected { host, port, token, actions } or null' }).superRefine((http, ctx) => {
  if (http.token === null && !isLoopback(http.host)) {
    ctx.addIssue({
      code: 'custom', path: ['token'],
      message: `required when http.host is ${http.host}, not a loopback address: anyone who can reach it could see file names and ` +
        'errors; set http.token to a secret (openssl rand -hex 32), or bind http.host to 127.0.0.1',
    });
  }
}).nullable().default(null);
