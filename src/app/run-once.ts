import type { ResolvedConfig } from '../config/resolved.js';
import type { EventBus } from '../observability/events.js';
import type { TransformLog } from '../transforms/types.js';
import { feed } from '../sources/feed.js';
import { ReportCollector, type RunReport } from '../ops/report.js';
import { openRuntime, type Runtime, type RuntimeOptions } from './runtime.js';

export interface RunOnceOptions {
  readonly config: ResolvedConfig;
  readonly events: EventBus;
  readonly log: TransformLog;
  /** Aborting it interrupts the run: in-flight work is aborted, inputs stay for next time. */
  readonly signal: AbortSignal;
  /** Opens the runtime of the mode (see DaemonOptions.open). @default openRuntime */
  readonly open?: (o: RuntimeOptions) => Promise<Runtime>;
}

export interface RunOnceResult {
  readonly report: RunReport;
  readonly interrupted: boolean;
}

/** One-shot mode: the daemon without a watcher, which exits when idle. */
export async function runOnce(o: RunOnceOptions): Promise<RunOnceResult> {
  const collector = new ReportCollector();
  const unsubscribe = o.events.on(collector.listener);
  let fatal: unknown = null;
  const fail = new AbortController();
  const runtime = await (o.open ?? openRuntime)({
    config: o.config, events: o.events, log: o.log,
    onFatal: (err) => {
      fatal ??= err;
      fail.abort();
    },
  });
  const stop = AbortSignal.any([o.signal, fail.signal]);
  try {
    await feed(o.config.pipelines, runtime.engine.intake, o.events, 'scan', stop);
    await Promise.race([runtime.engine.intake.whenIdle(), aborted(stop)]);
    // In a cluster the jobs run on whichever node: their lines come from the shared queue.
    if (runtime.awaitSubmitted) collector.merge(await runtime.awaitSubmitted(stop));
  } catch (err) {
    if (!stop.aborted) throw err;
  } finally {
    await runtime.close(0);
    unsubscribe();
  }
  if (fatal !== null) throw fatal;
  return { report: collector.report(), interrupted: o.signal.aborted };
}

function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}
