import { readStatus, type Status } from '../../ops/status.js';
import { loadConfig } from '../../config/load.js';
import { ExitCode } from '../../errors.js';
import { writeOut } from '../stdout.js';
import { describeCluster } from '../cluster-status-text.js';
import { duration, table } from '../table.js';

/**
 * `sluice status`: the running daemon's live figures, or what the state store knows; exit 0 either way, except in
 * cluster mode with Redis unreachable (exit 1: nothing can be known).
 */
export async function statusCommand(options: { config?: string; json?: boolean }): Promise<number> {
  const config = await loadConfig({ config: options.config });
  const status = await readStatus(config);
  await writeOut(options.json ? `${JSON.stringify(status)}\n` : `${describeStatus(status)}\n`);
  return 'mode' in status && status.redis.link === 'down' ? ExitCode.failures : ExitCode.ok;
}

export function describeStatus(s: Status): string {
  if ('mode' in s) return describeCluster(s);
  if (!s.running) {
    return [
      `sluice is not running on ${s.stateDir}; the state store records:`,
      '',
      table(['PIPELINE', 'DONE', 'FAILED'], s.pipelines.map((p) => [p.name, p.done, p.failed])),
    ].join('\n');
  }
  const oldest = s.oldestPendingAgeMs === null ? '' : ` (oldest ${duration(s.oldestPendingAgeMs)})`;
  const lines = [
    `sluice is ${s.state}: pid ${s.pid}, up ${duration(s.uptimeMs)}, state ${s.stateDir}`,
    `queue ${s.queue.depth}/${s.queue.capacity}, pending ${s.pending}${oldest}, in flight ${s.inFlight.length}` +
      (s.metrics ? `, metrics ${s.metrics}` : '') + (s.dashboard ? `, dashboard ${s.dashboard}` : ''),
    '',
    table(['PIPELINE', 'PROCESSED', 'UNCHANGED', 'FAILED', 'PENDING', 'IN FLIGHT', 'QUEUE'],
      s.pipelines.map((p) => [p.name, p.processed, p.unchanged, p.failed, p.pending, p.inFlight, `${p.queue.depth}/${p.queue.capacity}`])),
  ];
  if (s.inFlight.length > 0) {
    lines.push('', table(['IN FLIGHT', 'STAGE', 'ATTEMPT', 'AGE', 'PATH'],
      s.inFlight.map((j) => [j.pipeline, j.waiting ? `${j.stage} (waiting)` : j.stage, j.attempt, duration(j.ageMs), j.path])));
  }
  return lines.join('\n');
}
