import type { ActivitySummary } from '../../ops/activity-summary.js';
import { openClusterRuntime } from '../../app/open-cluster-runtime.js';
import { Daemon } from '../../app/daemon.js';
import type { RuntimeOptions } from '../../app/runtime.js';
import { ExitCode } from '../../errors.js';
import { ConfigReloader } from '../reload.js';
import { openSession, type GlobalOptions } from '../session.js';
import { onReloadSignal, onStopSignals } from '../signals.js';
import { startSummary } from '../summary.js';

/**
 * `sluice watch`: service mode in the foreground; SIGTERM/SIGINT drain within shutdownGraceMs and exit 0; SIGHUP reloads
 * the config file.
 */
export async function watchCommand(options: { config?: string }, global: GlobalOptions): Promise<number> {
  const session = await openSession(options.config, global);
  try {
    // A cluster node waits for Redis at start (it may come up later); a signal ends that wait.
    const stopping = new AbortController();
    const open = session.config.cluster
      ? (o: RuntimeOptions) => openClusterRuntime({ ...o, waitForRedis: true, signal: stopping.signal })
      : undefined;
    const daemon = new Daemon({ ...session, open });
    const stopSignals = onStopSignals(() => {
      stopping.abort();
      void daemon.close();
    }, () => daemon.abort());
    let summary: ActivitySummary | null = null;
    const reloader = new ConfigReloader(session.config, { daemon, logger: session.logger, global });
    // Handled from the start: a SIGHUP before the daemon runs is answered with a log line, never the default (exit).
    const stopReload = onReloadSignal(() => void reloader.request());
    try {
      await daemon.start();
      summary = startSummary(session.events, session.logger);
      await daemon.finished;
    } catch (err) {
      await daemon.close().catch(() => {});
      // Stopped while it still waited for Redis: a clean stop, not a failure.
      if (!stopping.signal.aborted) throw err;
    } finally {
      summary?.close();
      stopReload();
      stopSignals();
    }
    session.logger.info('stopped');
    return ExitCode.ok;
  } finally {
    await session.close();
  }
}
