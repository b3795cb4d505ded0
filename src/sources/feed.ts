import path from 'node:path';
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

/**
 * Offers the eligible files below a folder the watcher reported as new (or one inotify cannot watch) to every
 * pipeline whose input folder holds it.
 */
export async function feedFolder(
  pipelines: readonly ResolvedPipeline[], absDir: string, intake: Intake, signal: AbortSignal,
): Promise<void> {
  for (const p of pipelines) {
    const rel = path.relative(p.input.dir, absDir);
    if (rel.startsWith('..') || path.isAbsolute(rel)) continue;
    const relDir = rel.split(path.sep).join('/');
    const filter = createFilter(p);
    if (!filter.dir(relDir)) continue;
    for await (const relPath of scan(p.input.dir, filter, { signal, under: relDir })) {
      await intake.offer(p, relPath, 'event', signal);
    }
  }
}
