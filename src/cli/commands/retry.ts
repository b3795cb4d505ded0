import { planRetry, retry } from '../../ops/retry.js';
import { loadConfig } from '../../config/load.js';
import { ExitCode, UsageError } from '../../errors.js';

/**
 * `sluice retry [PATH…] [--all]`: moves quarantined inputs back to their input folder, removes their sidecars and
 * clears their failure (of an input kept in place, onFailure: keep, only the failure), so the running daemon (or the
 * next run) processes them again. Any path that is not quarantined,
 * or whose input exists again, is reported and nothing is changed (exit 2).
 */
export async function retryCommand(paths: readonly string[], options: { config?: string; all?: boolean }): Promise<number> {
  if (paths.length === 0 && !options.all) throw new UsageError('name the quarantined inputs to retry (PATH…), or pass --all');
  const config = await loadConfig({ config: options.config });
  const plan = await planRetry(config, paths, options.all ?? false);
  if (plan.problems.length > 0) {
    process.stderr.write(`sluice: nothing was retried:\n${plan.problems.map((p) => `  - ${p}\n`).join('')}`);
    return ExitCode.usage;
  }
  if (plan.items.length === 0) {
    process.stdout.write('nothing to retry: no quarantined inputs\n');
    return ExitCode.ok;
  }
  const pid = await retry(config, plan.items, (item) => process.stdout.write(item.kept
    ? `retried ${item.pipeline}: ${item.input} (kept in place; its failure is cleared)\n`
    : `retried ${item.pipeline}: ${item.quarantined} -> ${item.input}\n`));
  const who = config.cluster ? 'their jobs are queued on the cluster; a node processes'
    : pid === null ? 'the next sluice run or watch processes' : `the running daemon (pid ${pid}) processes`;
  const kept = plan.items.filter((i) => i.kept).length;
  const moved = plan.items.length - kept;
  process.stdout.write(`${moved} input(s) moved back${kept > 0 ? `, ${kept} kept in place cleared` : ''}; ${who} them\n`);
  return ExitCode.ok;
}
