import type { EngineEvent } from '../observability/events.js';

import type { FileReport, Outcome } from '../pipeline/file-report.js';

export type { FileReport, Outcome } from '../pipeline/file-report.js';

/** The `run --json` report: counts per (pipeline, input) pair, last outcome wins. */
export interface RunReport {
  readonly processed: number;
  readonly unchanged: number;
  readonly failed: number;
  readonly durationMs: number;
  readonly files: readonly FileReport[];
}

/** Builds the run report from engine events. Holds one entry per input of this run (the report lists them all). */
export class ReportCollector {
  readonly #files = new Map<string, FileReport>();
  readonly #started = Date.now();

  readonly listener = (e: EngineEvent): void => {
    if (e.type !== 'processed' && e.type !== 'unchanged' && e.type !== 'failed') return;
    const base = { pipeline: e.pipeline, path: e.path };
    let report: FileReport;
    if (e.type === 'processed') report = { ...base, outcome: 'processed', outputs: e.outputs, ...(e.skipped ? { skipped: e.skipped } : {}) };
    else if (e.type === 'unchanged') report = { ...base, outcome: 'unchanged', outputs: e.outputs };
    else report = { ...base, outcome: 'failed', outputs: [], error: { code: e.code, message: e.message } };
    this.#files.set(`${e.pipeline}\0${e.path}`, report);
  };

  /** Adds (or replaces) the lines of files that other nodes ended (cluster mode). */
  merge(files: readonly FileReport[]): void {
    for (const f of files) this.#files.set(`${f.pipeline}\0${f.path}`, f);
  }

  get failed(): number {
    let n = 0;
    for (const f of this.#files.values()) if (f.outcome === 'failed') n += 1;
    return n;
  }

  report(): RunReport {
    const files = [...this.#files.values()];
    const count = (o: Outcome) => files.filter((f) => f.outcome === o).length;
    return {
      processed: count('processed'), unchanged: count('unchanged'), failed: count('failed'),
      durationMs: Date.now() - this.#started, files,
    };
  }
}
