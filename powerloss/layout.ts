/** Where a power-loss case keeps everything on the mount, and the sluice config that points there. */
import path from 'node:path';

export type OutputKind = 'gzip' | 'copy' | 'append' | 'folder';
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

/** A folder output's parts: `split` chunks of this many bytes (the last one shorter), named part-aaa, part-aab, … */
export const partBytes = 256;
/** Where a folder output puts every part after the first (so each folder has a subfolder to commit and remove). */
export const restDir = 'rest';
/** The completion marker's name in each output folder. */
export const markerName = '_SUCCESS';

/**
 * The folder mode's one stage: the input split into `partBytes` chunks, part-aaa at the top of `{outDir}`, the rest
 * under `restDir`. Every input of the corpus has a line, so every result has at least part-aaa (no NO_OUTPUT).
 */
const splitStage = {
  use: 'exec',
  concurrency: 2,
  with: {
    command: ['/bin/sh', '-c', `mkdir "$2/${restDir}" && split -b ${partBytes} -a 3 "$1" "$2/${restDir}/part-" && ` +
      `mv "$2/${restDir}/part-aaa" "$2/"`, 'sh', '{in}', '{outDir}'],
  },
};

const outputs: Record<OutputKind, (l: Layout) => object> = {
  gzip: (l) => ({ dir: l.outbox, path: '{relDir}/{base}.gz' }),
  copy: (l) => ({ dir: l.outbox, path: '{relDir}/{base}' }),
  append: (l) => ({ dir: l.outbox, path: 'all.log', mode: 'append' }),
  folder: (l) => ({ dir: l.outbox, path: '{relDir}/{name}/', marker: `{relDir}/{name}/${markerName}` }),
};

/**
 * One pipeline, everything on the mount: replace (`{relDir}/{base}.gz` or `{relDir}/{base}`), append (`all.log`), or
 * a folder output (`{relDir}/{name}/` filled by splitStage, with its `markerName` completion marker).
 */
export function configFor(command: 'run' | 'watch', mode: Mode, l: Layout): object {
  const stage = mode.output === 'folder' ? splitStage : { use: mode.output === 'gzip' ? 'gzip' : 'copy', concurrency: 2 };
  return {
    stateDir: l.state,
    shutdownGraceMs: 10_000,
    pipelines: [{
      name: 'p',
      input: { dir: l.inbox, settleMs: command === 'watch' ? 20 : 0 },
      output: outputs[mode.output](l),
      onSuccess: mode.onSuccess === 'moveTo' ? { moveTo: l.archive } : mode.onSuccess,
      retry: { attempts: 3, backoffMs: 10, maxBackoffMs: 50 },
      stages: [stage],
    }],
  };
}
