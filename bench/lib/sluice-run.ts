import path from 'node:path';
import { sluiceBin, sluiceConfig, timed, type Timed } from './run.js';

export interface OneShot {
  readonly input: string;
  readonly output: string;
  /** The transform: gzip, copy, … */
  readonly use: string;
  /** Appended to each output name (`.gz`). @default '' */
  readonly suffix?: string;
  /** The stage's workers; omitted: sluice's default. */
  readonly concurrency?: number;
  /** @default 'keep' (sluice's default) */
  readonly onSuccess?: 'keep' | 'delete' | { readonly moveTo: string };
  /** sluice's `cluster` key (cluster mode on that Redis); omitted: one node with SQLite. */
  readonly cluster?: Record<string, unknown>;
}

/**
 * `sluice run` of one single-stage pipeline, timed. Everything not given is sluice's default, except settleMs 0: the
 * corpus is complete before the run, and a file untouched for longer than settleMs costs the same either way.
 */
export function sluiceRun(work: string, name: string, o: OneShot): Promise<Timed> {
  const config = sluiceConfig(work, name, {
    stateDir: path.join(work, `${name}-state`), log: { level: 'warn' },
    ...(o.cluster === undefined ? {} : { cluster: o.cluster }),
    pipelines: [{
      name, input: { dir: o.input, settleMs: 0 }, output: { dir: o.output, path: `{relDir}/{base}${o.suffix ?? ''}` },
      ...(o.onSuccess === undefined ? {} : { onSuccess: o.onSuccess }),
      stages: [{ use: o.use, ...(o.concurrency === undefined ? {} : { concurrency: o.concurrency }) }],
    }],
  });
  return timed(sluiceBin, ['run', '-c', config]);
}
