/** Where a power-loss case keeps everything on the mount, and the sluice config that points there. */
import path from 'node:path';

export type OutputKind = 'gzip' | 'copy' | 'append';
export type Disposal = 'delete' | 'moveTo' | 'keep';

/** What a pipeline does with its results and inputs. */
export interface Mode {
  readonly output: OutputKind;
  readonly onSuccess: Disposal;
}

export interface Layout {
  readonly mount: string;
  readonly inbox: string;
  readonly outbox: string;
  readonly archive: string;
  readonly state: string;
}

export function layoutOf(mount: string): Layout {
  const at = (d: string) => path.join(mount, d);
  return { mount, inbox: at('inbox'), outbox: at('outbox'), archive: at('archive'), state: at('state') };
}

/** One pipeline: replace (`{relDir}/{base}.gz` or `{relDir}/{base}`) or append (`all.log`), everything on the mount. */
export function configFor(command: 'run' | 'watch', mode: Mode, l: Layout): object {
  const output = mode.output === 'append'
    ? { dir: l.outbox, path: 'all.log', mode: 'append' }
    : { dir: l.outbox, path: mode.output === 'gzip' ? '{relDir}/{base}.gz' : '{relDir}/{base}' };
  return {
    stateDir: l.state,
    shutdownGraceMs: 10_000,
    pipelines: [{
      name: 'p',
      input: { dir: l.inbox, settleMs: command === 'watch' ? 20 : 0 },
      output,
      onSuccess: mode.onSuccess === 'moveTo' ? { moveTo: l.archive } : mode.onSuccess,
      retry: { attempts: 3, backoffMs: 10, maxBackoffMs: 50 },
      stages: [{ use: mode.output === 'gzip' ? 'gzip' : 'copy', concurrency: 2 }],
    }],
  };
}
