import { SingleBar } from 'cli-progress';
import { formatDuration, ProgressTracker, type ProgressSnapshot } from '../ops/progress.js';
import type { EventBus } from '../observability/events.js';
import type { Logger } from '../observability/logger.js';

/** How often `run` logs a progress line when stderr is not a terminal. `SLUICE_PROGRESS_INTERVAL_MS` overrides it. */
export const progressIntervalMs = 5000;

export interface ProgressOptions {
  readonly events: EventBus;
  readonly logger: Logger;
  readonly pipelines: number;
  /** Whether stderr is a terminal: a live bar there, else a log line every `intervalMs`. */
  readonly tty: boolean;
  readonly intervalMs?: number;
}

/** Shows a one-shot run's progress on stderr; returns a function that stops it (and leaves the final bar on screen). */
export function showProgress(o: ProgressOptions): () => void {
  const tracker = new ProgressTracker(o.pipelines);
  const unsubscribe = o.events.on(tracker.listener);
  // Progress is information: a run asked to be quieter than info shows none.
  const stop = !o.logger.isLevelEnabled('info') ? () => {}
    : o.tty ? progressBar(tracker)
    : progressLines(tracker, o.logger, o.intervalMs ?? envInterval() ?? progressIntervalMs);
  return () => {
    unsubscribe();
    stop();
  };
}

function envInterval(): number | null {
  const value = Number(process.env['SLUICE_PROGRESS_INTERVAL_MS']);
  return Number.isInteger(value) && value > 0 ? value : null;
}

export function describeProgress(s: ProgressSnapshot): string {
  const total = s.scanned ? `${s.total}` : `${s.total}+`;
  return `${s.done}/${total} files done, ${s.failed} failed, ${s.ratePerSec.toFixed(1)} files/s, ETA ${formatDuration(s.etaMs)}`;
}

function progressLines(tracker: ProgressTracker, logger: Logger, intervalMs: number): () => void {
  const timer = setInterval(() => {
    const s = tracker.snapshot();
    logger.info(`progress: ${describeProgress(s)}`, {
      done: s.done, total: s.total, failed: s.failed, ratePerSec: Number(s.ratePerSec.toFixed(2)), etaMs: s.etaMs,
    });
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * A live bar on stderr. Log lines written while it shows (they go to stderr too) first clear the bar's line, and the
 * bar is redrawn below them, so the two never mix on one line.
 */
function progressBar(tracker: ProgressTracker): () => void {
  const stderr = process.stderr;
  const write = stderr.write as (...a: unknown[]) => boolean;
  const out = barStream(stderr, write);
  const bar = new SingleBar({
    stream: out.stream, format: 'sluice {bar} {value}/{totalText} files | {rate} files/s | ETA {etaText} | {failed} failed',
    barsize: 24, fps: 5, hideCursor: false, gracefulExit: false, linewrap: true, noTTYOutput: false,
  });
  const payload = (s: ProgressSnapshot) => ({
    totalText: s.scanned ? `${s.total}` : `${s.total}+`, rate: s.ratePerSec.toFixed(1), etaText: formatDuration(s.etaMs), failed: s.failed,
  });
  const refresh = () => {
    const s = tracker.snapshot();
    bar.setTotal(Math.max(s.total, 1));
    bar.update(s.done, payload(s));
  };
  stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    if (out.drawing()) return write.call(stderr, chunk, ...rest);
    write.call(stderr, '\r\x1b[K');
    const ok = write.call(stderr, chunk, ...rest);
    (bar as unknown as { lastDrawnString: string }).lastDrawnString = '';
    return ok;
  }) as typeof stderr.write;
  const s0 = tracker.snapshot();
  bar.start(Math.max(s0.total, 1), s0.done, payload(s0));
  const timer = setInterval(refresh, 200);
  return () => {
    clearInterval(timer);
    refresh();
    bar.stop();
    stderr.write = write as typeof stderr.write;
  };
}

/** The stream the bar draws on: stderr through its original write, which tells whether a write is the bar's own. */
function barStream(stderr: NodeJS.WriteStream, write: (...a: unknown[]) => boolean) {
  let drawing = false;
  const stream = {
    isTTY: true,
    get columns() {
      return stderr.columns;
    },
    write(chunk: string): boolean {
      // The bar saves the cursor at start and restores it at stop: with log lines in between, that would jump back up.
      if (chunk === '\x1B7' || chunk === '\x1B8') return true;
      drawing = true;
      try {
        return write.call(stderr, chunk);
      } finally {
        drawing = false;
      }
    },
  };
  return { stream: stream as unknown as NodeJS.WritableStream, drawing: () => drawing };
}
