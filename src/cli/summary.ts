import { ActivitySummary } from '../ops/activity-summary.js';
import type { EventBus } from '../observability/events.js';
import type { Logger } from '../observability/logger.js';
import { formatDuration } from '../ops/progress.js';

/** How often `watch` logs what it did, when it did anything. `SLUICE_SUMMARY_INTERVAL_MS` overrides it. */
export const summaryIntervalMs = 60_000;

/** Starts the one-line activity summary of `sluice watch`. */
export function startSummary(events: EventBus, logger: Logger): ActivitySummary {
  const fromEnv = Number(process.env['SLUICE_SUMMARY_INTERVAL_MS']);
  const intervalMs = Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : summaryIntervalMs;
  return new ActivitySummary(events, intervalMs, (a) => {
    logger.info(`last ${formatDuration(a.periodMs)}: ${a.processed} processed, ${a.unchanged} unchanged, ${a.failed} failed`, {
      processed: a.processed, unchanged: a.unchanged, failed: a.failed, periodMs: a.periodMs,
    });
  });
}
