import { version } from '../version.js';
import { Command, CommanderError, Option } from 'commander';
import { ConfigError, ExitCode, SluiceError, describe } from '../errors.js';
import type { GlobalOptions } from './session.js';
import { flushOut, guardStdout } from './stdout.js';


/** Each command's module is loaded when it runs: `run` never loads the watcher, the metrics or the control server. */
function program(setExit: (code: number) => void): Command {
  const cli = new Command('sluice')
    .description('A file-processing pipeline daemon: files land in a hot folder, results are committed atomically.')
    .version(version, '--version')
    .addOption(new Option('--log-level <level>', 'log level').choices(['error', 'warn', 'info', 'debug']))
    .addOption(new Option('--log-format <format>', 'log format on stderr').choices(['pretty', 'json']))
    .showHelpAfterError('(run sluice --help for usage)')
    .exitOverride();
  const global = () => cli.opts<GlobalOptions>();
  cli.command('run').description('process every eligible file that is not up to date, then exit')
    .option('-c, --config <file>', 'config file').option('--json', 'print the run report as one JSON object on stdout')
    .option('--dry-run', 'print what would be processed and change nothing')
    .option('--report <file>', 'also write the run report (the --json object) to FILE, atomically')
    .action(async (o) => setExit(await (await import('./commands/run.js')).runCommand(o, global())));
  cli.command('watch').description('run as a service: process what is there, then watch (SIGTERM/SIGINT to stop)')
    .option('-c, --config <file>', 'config file')
    .action(async (o) => setExit(await (await import('./commands/watch.js')).watchCommand(o, global())));
  cli.command('check').description('validate the config and print it resolved')
    .option('-c, --config <file>', 'config file').option('--json', 'print as JSON')
    .action(async (o) => setExit(await (await import('./commands/check.js')).checkCommand(o)));
  cli.command('status').description('show the running daemon (queue, jobs in flight, counts) or what the state store knows')
    .option('-c, --config <file>', 'config file').option('--json', 'print one JSON object')
    .action(async (o) => setExit(await (await import('./commands/status.js')).statusCommand(o)));
  cli.command('explain').description('tell what sluice did, does or would do with a file (an input or an output)')
    .argument('<path>', 'an input, output, archived or quarantined file').option('-c, --config <file>', 'config file')
    .option('--json', 'print one JSON object').action(async (p: string, o) => setExit(await (await import('./commands/explain.js')).explainCommand(p, o)));
  cli.command('retry').description('move quarantined inputs back to be processed again')
    .argument('[paths...]', 'quarantined files (or their original input paths)').option('--all', 'every quarantined input')
    .option('-c, --config <file>', 'config file').action(async (p: string[], o) => setExit(await (await import('./commands/retry.js')).retryCommand(p, o)));
  cli.command('init').description('write a commented starter sluice.yaml into the current directory')
    .option('--force', 'replace an existing sluice.yaml')
    .action(async (o) => setExit(await (await import('./commands/init.js')).initCommand(o)));
  for (const sub of cli.commands) sub.exitOverride().showHelpAfterError('(run sluice --help for usage)');
  return cli;
}

/** Prints an error the user can act on: the message and each problem, never a stack trace. */
export function report(err: unknown, debug: boolean): number {
  if (err instanceof CommanderError) {
    return err.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
  }
  if (err instanceof SluiceError) {
    const problems = err instanceof ConfigError ? err.problems.map((p) => `\n  - ${p}`).join('') : '';
    process.stderr.write(`sluice: ${err.message}${problems}\n`);
    if (debug && err.cause instanceof Error) process.stderr.write(`${err.cause.stack ?? ''}\n`);
    return err.kind === 'fatal' ? ExitCode.failures : err.exitCode;
  }
  process.stderr.write(`sluice: unexpected error: ${describe(err)}\n`);
  if (debug && err instanceof Error) process.stderr.write(`${err.stack ?? ''}\n`);
  return ExitCode.failures;
}

/**
 * The CLI entry point; the only caller of process.exit, and only once stdout has drained (a pipe is written
 * asynchronously: exiting earlier would cut the output off). A reader that closed the pipe early changes neither what
 * the command does nor its exit code, and prints nothing (see stdout.ts).
 */
export async function main(argv: readonly string[] = process.argv): Promise<never> {
  guardStdout();
  let code: number = ExitCode.ok;
  const cli = program((c) => (code = c));
  try {
    await cli.parseAsync([...argv]);
  } catch (err) {
    code = report(err, argv.includes('debug'));
  }
  await flushOut();
  process.exit(code);
}
