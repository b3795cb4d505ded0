import { planRun } from '../../ops/dry-run.js';
import { openClusterRuntime } from '../../app/open-cluster-runtime.js';
import { runOnce } from '../../app/run-once.js';
import type { RuntimeOptions } from '../../app/runtime.js';
import { ExitCode } from '../../errors.js';
import { showProgress } from '../progress.js';
import { ReportFile } from '../report-file.js';
import { openSession, type GlobalOptions } from '../session.js';
import { onStopSignals } from '../signals.js';
import { writeOut } from '../stdout.js';

export interface RunOptions {
  readonly config?: string;
  readonly json?: boolean;
  readonly dryRun?: boolean;
  /** `--report FILE`: also write the `--json` object there. */
  readonly report?: string;
}

/** `sluice run`: one-shot; exit 0 all good, 1 some files failed, 130 interrupted. */
export async function runCommand(options: RunOptions, global: GlobalOptions): Promise<number> {
  const reportFile = options.report === undefined ? null : ReportFile.check(options.report);
  const session = await openSession(options.config, global);
  try {
    if (options.dryRun) return await dryRun(session.config, options.json ?? false, reportFile);
    const interrupt = new AbortController();
    const stopSignals = onStopSignals(() => interrupt.abort(), () => process.exit(ExitCode.interrupted));
    try {
      const stopProgress = showProgress({
        events: session.events, logger: session.logger, pipelines: session.config.pipelines.length, tty: process.stderr.isTTY === true,
      });
      let result;
      try {
        const open = session.config.cluster ? (o: RuntimeOptions) => openClusterRuntime({ ...o, waitForRedis: false, batch: true }) : undefined;
        result = await runOnce({ ...session, signal: interrupt.signal, open });
      } finally {
        stopProgress();
      }
      const { report, interrupted } = result;
      if (options.json) await writeOut(`${JSON.stringify(report)}\n`);
      else session.logger.info(`run done: ${report.processed} processed, ${report.unchanged} unchanged, ${report.failed} failed`, { durationMs: report.durationMs });
      await reportFile?.write(report);
      if (interrupted) return ExitCode.interrupted;
      return report.failed > 0 ? ExitCode.failures : ExitCode.ok;
    } finally {
      stopSignals();
    }
  } finally {
    await session.close();
  }
}

async function dryRun(config: Parameters<typeof planRun>[0], json: boolean, reportFile: ReportFile | null): Promise<number> {
  const planned = await planRun(config);
  await reportFile?.write({ dryRun: true, files: planned });
  if (json) {
    await writeOut(`${JSON.stringify({ dryRun: true, files: planned })}\n`);
    return ExitCode.ok;
  }
  for (const f of planned) {
    const what = f.action === 'process' ? `process  ${f.pipeline}: ${f.path} -> ${f.output ?? '(output path escapes output.dir)'}; input: ${f.onSuccess}`
      : f.action === 'dispose' ? `dispose  ${f.pipeline}: ${f.path} (already processed; input: ${f.onSuccess})`
      : f.action === 'waiting' ? `waiting  ${f.pipeline}: ${f.path} (for its ready marker, input.marker)`
      : `${f.action === 'unchanged' ? 'unchanged' : 'failed before, unchanged'}  ${f.pipeline}: ${f.path}`;
    await writeOut(`${what}\n`);
  }
  const count = planned.filter((f) => f.action === 'process').length;
  await writeOut(`dry run: ${count} file(s) would be processed; nothing was changed\n`);
  return ExitCode.ok;
}
