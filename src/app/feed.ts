import type { ResolvedPipeline } from '../config/resolved.js';
import type { EventBus } from '../observability/events.js';
import type { Intake } from '../pipeline/intake.js';
import { createFilter } from '../watch/filter.js';
import { scan } from '../watch/scanner.js';

/**
 * Walks every pipeline's input folder and offers each eligible file to the intake, waiting whenever the intake is full
 * (the producer side of the bounded queue). Unreadable folders are reported and skipped.
 */
export async function feed(
  pipelines: readonly ResolvedPipeline[], intake: Intake, events: EventBus, via: 'scan' | 'rescan', signal: AbortSignal,
): Promise<void> {
  for (const p of pipelines) {
    const started = Date.now();
    let files = 0;
    const onError = (dir: string, err: NodeJS.ErrnoException) =>
      events.emit({ type: 'warning', code: err.code ?? 'SCAN_FAILED', path: dir, message: `cannot read ${dir}: ${err.message}` });
    for await (const relPath of scan(p.input.dir, createFilter(p), { signal, onError })) {
      files += 1;
      await intake.offer(p, relPath, via, signal);
    }
    events.emit({ type: 'scan-done', pipeline: p.name, files, durationMs: Date.now() - started, via });
  }
}

/** Offers the eligible files below one folder of a pipeline's input (a folder the watcher reported as new). */
export async function feedFolder(p: ResolvedPipeline, relDir: string, intake: Intake, signal: AbortSignal): Promise<void> {
  const filter = createFilter(p);
  if (!filter.dir(relDir)) return;
  for await (const relPath of scan(p.input.dir, filter, { signal, under: relDir })) {
    await intake.offer(p, relPath, 'event', signal);
  }
}
