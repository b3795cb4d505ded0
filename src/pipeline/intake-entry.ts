import type { ResolvedPipeline } from '../config/resolved.js';
import type { Via } from './admit.js';

/** The intake's record of one file it holds (at most one per pipeline and input). */
export interface Entry {
  state: 'settling' | 'queued' | 'running';
  /** A change was reported while the job ran: run once more when it finishes. */
  dirty: boolean;
  readonly pipeline: ResolvedPipeline;
  readonly relPath: string;
  via: Via;
  /** When it entered its state (ms since epoch). */
  since: number;
  /** Order of entering the queue (for the position of a queued file); 0 before. */
  order: number;
}

/** A read-only view of one file the intake holds (status, explain). */
export interface IntakeEntry {
  readonly pipeline: string;
  readonly relPath: string;
  readonly state: 'settling' | 'queued' | 'running';
  readonly since: number;
  readonly order: number;
}

export function view(e: Entry): IntakeEntry {
  return { pipeline: e.pipeline.name, relPath: e.relPath, state: e.state, since: e.since, order: e.order };
}
