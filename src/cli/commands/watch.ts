import { Daemon } from '../../app/daemon.js';
import { ExitCode } from '../../errors.js';
import { openSession, type GlobalOptions } from '../session.js';
import { onStopSignals } from '../signals.js';

/** `sluice watch`: service mode in the foreground; SIGTERM/SIGINT drain within shutdownGraceMs and exit 0. */
export async function watchCommand(options: { config?: string }, global: GlobalOptions): Promise<number> {
  const session = await openSession(options.config, global);
  try {
    const daemon = new Daemon(session);
    const stopSignals = onStopSignals(() => void daemon.close(), () => daemon.abort());
    try {
      await daemon.start();
      await daemon.finished;
    } catch (err) {
      await daemon.close().catch(() => {});
      throw err;
    } finally {
      stopSignals();
    }
    session.logger.info('stopped');
    return ExitCode.ok;
  } finally {
    await session.close();
  }
}
