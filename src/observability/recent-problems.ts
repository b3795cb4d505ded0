import { Ring } from '../core/ring.js';
import type { EngineEvent } from './events.js';
import { logLineFor } from './log-events.js';

/** A warning or error line of the daemon's log. */
export interface Problem {
  readonly at: string;
  readonly level: 'warn' | 'error';
  readonly code: string | null;
  readonly message: string;
  readonly pipeline?: string;
  readonly path?: string;
}

/** Problems kept: the dashboard shows the last 50. */
export const problemsKept = 50;

/** The last 50 warnings and errors among the log lines of engine events (the same words the log has), newest first. */
export class RecentProblems {
  readonly #ring = new Ring<Problem>(problemsKept);

  /** Returns true when the event was a problem (and is now the newest). */
  add(e: EngineEvent): boolean {
    const line = logLineFor(e);
    if (line === null || (line[0] !== 'warn' && line[0] !== 'error')) return false;
    const code = line[2]?.['code'];
    this.#ring.push({
      at: new Date().toISOString(), level: line[0], code: typeof code === 'string' ? code : null, message: line[1],
      ...('pipeline' in e && { pipeline: e.pipeline }), ...('path' in e && e.path !== undefined && { path: e.path }),
    });
    return true;
  }

  newestFirst(): Problem[] {
    return this.#ring.newestFirst();
  }
}
