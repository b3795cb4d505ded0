import type { ResolvedConfig } from '../config/resolved.js';
import type { EventBus } from '../observability/events.js';
import type { StateStore } from '../state/store.js';
import type { TransformLog } from '../transforms/types.js';
import type { IntakeOptions } from './intake.js';
import type { PathLocks } from './path-locks.js';

/** What an Engine is built from: its config, its ports (store, path locks, the intake's queue) and its listeners. */
export interface EngineOptions {
  readonly config: ResolvedConfig;
  readonly store: StateStore;
  readonly events: EventBus;
  readonly log: TransformLog;
  /** Told when a watch hint was dropped for lack of room: the caller schedules a rescan. */
  readonly onOverflow?: () => void;
  /** Told when an input turned out to be a folder (a file replaced by one): its files are inputs to look for. */
  readonly onFolder?: (absPath: string) => void;
  /** Told when the engine cannot go on (the state store failed). */
  readonly onFatal: (err: unknown) => void;
  /** Output path locks to share with another engine of the same process (the one a config reload replaces). */
  readonly locks?: PathLocks;
  /** The intake's queue port for a shared queue (see IntakeOptions.forward); absent: the engine's own queues. */
  readonly forward?: IntakeOptions['forward'];
  /** With `forward`: how long a handed-off version is not looked at again by scans (see HandedOff). @default 60_000 */
  readonly handOffTtlMs?: number;
  /**
   * Start the batched path's worker threads now, not for the first small file (which would wait tens of milliseconds
   * for them to boot): for the daemon, whose lone files should commit within milliseconds. One-shot runs start them on
   * first use and never for a run of big files only (about 20 MB less).
   */
  readonly warm?: boolean;
}
