import os from 'node:os';
import type { HttpSettings } from '../config/resolved.js';

const wildcard = new Set(['0.0.0.0', '::', '0:0:0:0:0:0:0:0']);

/**
 * The host names a request's `Host` header may name (against DNS rebinding): the listener's own address, `localhost`,
 * and `http.allowedHosts`; bound to a wildcard address, also this machine's interface addresses and host name.
 * Compared without the port and case-insensitively.
 */
export function allowedHostNames(http: HttpSettings): ReadonlySet<string> {
  const names = new Set<string>(['localhost', bare(http.host)]);
  for (const h of http.allowedHosts) names.add(bare(h));
  if (wildcard.has(bare(http.host))) {
    names.add(os.hostname().toLowerCase());
    for (const list of Object.values(os.networkInterfaces())) for (const a of list ?? []) names.add(bare(a.address));
  }
  // Bound to `localhost`, the listener is on the loopback address that name resolved to: a browser may use either.
  if (bare(http.host) === 'localhost') for (const a of ['127.0.0.1', '::1']) names.add(a);
  if (names.has('::1')) names.add('0:0:0:0:0:0:0:1');
  return names;
}

/** The host name a `Host` header names (without its port, brackets or trailing dot); null when absent or malformed. */
export function hostNameOf(header: string | undefined): string | null {
  if (!header) return null;
  const m = /^\[([0-9A-Fa-f:.]+)\](?::\d{1,5})?$/.exec(header) ?? /^([A-Za-z0-9.-]+)(?::\d{1,5})?$/.exec(header);
  return m ? bare(m[1]!) : null;
}

function bare(host: string): string {
  return host.replace(/^\[|\]$/g, '').replace(/\.$/, '').toLowerCase();
}
