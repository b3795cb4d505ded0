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

/** The last 50 warnings and errors of the daemon's log, newest first. */
export class RecentProblems {
  readonly #ring = new Ring<Problem>(problemsKept);

  /** Keeps a log line if it is a warning or an error; returns true when it did. */
  addLine(level: string, message: string, fields: Readonly<Record<string, unknown>>): boolean {
    if (level !== 'warn' && level !== 'error') return false;
    const { code, pipeline, path } = fields;
    this.#ring.push({
      at: new Date().toISOString(), level, code: typeof code === 'string' ? code : null, message,
      ...(typeof pipeline === 'string' && { pipeline }), ...(typeof path === 'string' && { path }),
    });
    return true;
  }

  /** Keeps the log line of an engine event (the same words the log has) if it is a warning or an error. */
  addEvent(e: EngineEvent): boolean {
    const line = logLineFor(e);
    if (line === null) return false;
    return this.addLine(line[0], line[1], {
      ...line[2], ...('pipeline' in e && { pipeline: e.pipeline }), ...('path' in e && e.path !== undefined && { path: e.path }),
    });
  }

  newestFirst(): Problem[] {
    return this.#ring.newestFirst();
  }
}
