/**
 * The end of a power-loss case: sluice run to completion with the power on (`run` until it exits; `watch` until it is
 * idle, then SIGTERM), then the checks that the state store is sound: a further `run` finds nothing to do (and reports
 * every input still in the inbox unchanged) and `status` works. Problems are returned as violation lines.
 */
import type { RunReport } from '../test/helpers/cli.js';
import { waitFor, type SluiceProcess } from '../test/helpers/process.js';
import { Progress } from './progress.js';

export interface Finish {
  readonly problem: string | null;
}

type Start = (args: readonly string[]) => SluiceProcess;

/** Runs `command` to completion; `done` tells the final watch that everything looks processed. */
export async function finish(command: 'run' | 'watch', config: string, start: Start, done: () => boolean): Promise<Finish> {
  if (command === 'run') {
    const proc = start(['run', '--json', '-c', config]);
    const exit = await proc.waitForExit(120_000);
    if (exit.code !== 0) return { problem: `sluice run exited ${JSON.stringify(exit)}: ${tail(proc.stderr)}` };
    const report = parseReport(proc.stdout);
    if (report === null) return { problem: `sluice run printed no report: ${tail(proc.stdout)}` };
    return { problem: report.failed === 0 ? null : `${report.failed} file(s) failed: ${failures(report)}` };
  }
  const proc = start(['watch', '-c', config]);
  const progress = new Progress(proc);
  const idle = await waitFor('watch to be idle', () => proc.exit !== null || (done() && progress.quietMs >= 600),
    { timeoutMs: 90_000, intervalMs: 100 }).then(() => true, () => false);
  proc.kill('SIGTERM');
  const exit = await proc.waitForExit(30_000);
  if (exit.code !== 0) return { problem: `sluice watch exited ${JSON.stringify(exit)}: ${tail(proc.stderr)}` };
  return { problem: idle ? null : 'sluice watch did not finish the work within 90 s (see the violations below)' };
}

/**
 * A further `sluice run --json` must exit 0, process nothing and report each of `kept` (the inputs that stay in the
 * inbox, relative paths) unchanged; `sluice status` must work.
 */
export async function further(start: Start, config: string, kept: readonly string[]): Promise<string[]> {
  const problems: string[] = [];
  const again = start(['run', '--json', '-c', config]);
  const exit = await again.waitForExit(120_000);
  const report = parseReport(again.stdout);
  if (exit.code !== 0 || report === null) {
    problems.push(`a further sluice run exited ${JSON.stringify(exit)}: ${tail(again.stderr)}`);
  } else if (report.processed !== 0 || report.failed !== 0) {
    const redone = report.files.filter((f) => f.outcome !== 'unchanged').map((f) => `${f.path} (${f.outcome})`);
    problems.push(`a further sluice run had work to do: ${redone.length} file(s): ${redone.slice(0, 10).join(', ')}`);
  }
  const reported = new Set(report?.files.map((f) => f.path));
  const unreported = report === null ? [] : kept.filter((rel) => !reported.has(rel));
  if (unreported.length > 0) {
    problems.push(`a further sluice run (exit 0, ${report!.failed} failed) did not report ${unreported.length} of the ` +
      `${kept.length} inputs in the inbox: ${unreported.slice(0, 10).join(', ')}`);
  }
  const status = start(['status', '--json', '-c', config]);
  const statusExit = await status.waitForExit(30_000);
  if (statusExit.code !== 0) problems.push(`sluice status exited ${JSON.stringify(statusExit)}: ${tail(status.stderr)}`);
  return problems;
}

function parseReport(stdout: string): RunReport | null {
  const lines = stdout.split('\n').filter((l) => l !== '');
  try {
    return lines.length === 1 ? (JSON.parse(lines[0]!) as RunReport) : null;
  } catch {
    return null;
  }
}

function failures(report: RunReport): string {
  return report.files.filter((f) => f.outcome === 'failed').slice(0, 10)
    .map((f) => `${f.path} (${f.error?.code}: ${f.error?.message})`).join(', ');
}

/** The end of a long output, for a violation line. */
export function tail(text: string, n = 1500): string {
  return text.length > n ? `…${text.slice(-n)}` : text;
}
