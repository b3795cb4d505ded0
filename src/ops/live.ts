import type { LiveStats } from '../observability/stats.js';

/** What a running daemon answers on its control socket; the routes live with the daemon (app/control-routes.ts). */

/** A running daemon's `GET /status` reply (what `sluice status --json` prints). */
export type DaemonStatus = ReturnType<LiveStats['snapshot']> & {
  readonly running: true;
  readonly pid: number;
  readonly stateDir: string;
  readonly config: string | null;
  readonly metrics: string | null;
  /** The dashboard's address (`http:`), or null. */
  readonly dashboard: string | null;
};

/** What a running daemon knows about one (pipeline, input): `GET /file?pipeline=…&path=…`; null when it holds none. */
export interface LiveFile {
  readonly state: 'settling' | 'queued' | 'running';
  readonly since: string;
  readonly ageMs: number;
  /** 1-based position among the pipeline's queued files (queued only). */
  readonly position?: number;
  /** The stage running, `commit` or `retry-wait` (running only). */
  readonly stage?: string;
  /** Waiting for a worker of that stage. */
  readonly waiting?: boolean;
  readonly attempt?: number;
}
