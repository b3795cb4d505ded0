/**
 * Typed events: the engine, intake and watcher emit these and never log. observability turns them into log lines (and,
 * later, metrics) with the same fields.
 */
interface FileFields {
  readonly pipeline: string;
  /** Input path relative to the pipeline's input.dir. */
  readonly path: string;
}

export type FileEvent =
  | (FileFields & { type: 'seen'; via: 'scan' | 'event' | 'rescan' | 'redo' })
  | (FileFields & { type: 'settling'; waitMs: number })
  | (FileFields & { type: 'queued' })
  | (FileFields & { type: 'started'; attempt: number })
  /** A stage got a worker and starts (a `stage` event follows when it is done). */
  | (FileFields & { type: 'stage-start'; stage: string; attempt: number })
  | (FileFields & { type: 'stage'; stage: string; attempt: number; durationMs: number })
  | (FileFields & { type: 'committed'; output: string })
  | (FileFields & { type: 'disposed'; disposition: 'delete' | 'move'; to?: string })
  /** `skipped`: an output already existed and was left as it was (output.conflict: keep). */
  | (FileFields & { type: 'processed'; outputs: readonly string[]; durationMs: number; skipped?: 'output exists' })
  | (FileFields & { type: 'unchanged'; outputs: readonly string[] })
  | (FileFields & {
    type: 'failed'; stage: string; attempts: number; code: string; message: string; previously?: boolean;
    /** transient (retries used up) or permanent (not retried); absent for a failure recorded by an earlier run. */
    errorClass?: 'transient' | 'permanent';
  })
  | (FileFields & { type: 'retry'; stage: string; attempt: number; code: string; message: string; delayMs: number })
  | (FileFields & { type: 'skipped'; reason: string; code: string })
  | (FileFields & { type: 'changed' })
  /** Settled, but its ready marker (input.marker; `marker` relative to input.dir) is not there yet. */
  | (FileFields & { type: 'awaiting-marker'; marker: string })
  /** How long a commit waited for the keyed lock of its output path. */
  | (FileFields & { type: 'lock-wait'; output: string; waitMs: number });

export type EngineEvent =
  | FileEvent
  | { type: 'scan-done'; pipeline: string; files: number; durationMs: number; via: 'scan' | 'rescan' }
  | { type: 'found-by-rescan'; pipeline: string; path: string }
  | { type: 'watching'; dirs: readonly string[] }
  | { type: 'watcher-error'; code: string; message: string }
  | { type: 'watch-fallback'; code: string; dir: string; folders: number; all: boolean; intervalMs: number }
  | { type: 'overflow'; pending: number }
  | { type: 'recovered'; what: string; path: string }
  | { type: 'warning'; code: string; message: string; path?: string }
  /** Cluster mode's news: Redis lost or back, the scanner role taken or lost, a node's share unreachable, a janitor's sweep. */
  | { type: 'cluster'; level: 'info' | 'warn'; code: string; message: string }
  | { type: 'draining'; inFlight: number; graceMs: number }
  | { type: 'aborted'; pipeline: string; path: string }
  | { type: 'listening'; what: 'control' | 'metrics' | 'dashboard'; address: string };

export type EventListener = (event: EngineEvent) => void;

/** A synchronous fan-out of engine events; a throwing listener never breaks the emitter. */
export class EventBus {
  readonly #listeners = new Set<EventListener>();

  on(listener: EventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  emit(event: EngineEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch {
        // A broken listener (a log transport, a metric) must not stop file processing.
      }
    }
  }
}
