/** A real `sluice watch` serving the dashboard, in a test's Sandbox. */
import type { Sandbox, SluiceProcess } from '../helpers/process.js';
import { debugJson, shStage } from '../helpers/process.js';

export interface Dashboard {
  readonly sluice: SluiceProcess;
  /** The page's URL, `http://127.0.0.1:<port>/`. */
  readonly url: string;
}

export interface DashboardOptions {
  /** http.actions. @default false */
  readonly actions?: boolean;
  /** http.port. @default 0 (a free port) */
  readonly port?: number;
}

/**
 * Starts `sluice watch` on `config` plus an `http:` block (loopback, no token) and resolves once it watches and its
 * dashboard listens (the `dashboard listening on <url>` line).
 */
export async function startDashboard(box: Sandbox, config: Record<string, unknown>, o: DashboardOptions = {}): Promise<Dashboard> {
  const file = box.config({ http: { host: '127.0.0.1', port: o.port ?? 0, token: null, actions: o.actions ?? false }, ...config });
  const sluice = box.start(['watch', '-c', file, ...debugJson]);
  const line = await sluice.waitForLog('dashboard listening', (l) => l.message.startsWith('dashboard listening on '));
  await sluice.ready();
  return { sluice, url: line.message.slice('dashboard listening on '.length) };
}

/** An exec stage that waits while `flag` (relative to the sandbox) exists, then copies: a job held in flight at will. */
export function heldStage(flag: string): Record<string, unknown> {
  return shStage(`while [ -e ${flag} ]; do sleep 0.05; done; cp "$1" "$2"`);
}

/** An exec stage that fails with `reason` on stderr while `flag` exists, else copies. */
export function failingStage(flag: string, reason: string): Record<string, unknown> {
  return shStage(`if [ -e ${flag} ]; then echo '${reason}' >&2; exit 3; fi; cp "$1" "$2"`);
}
