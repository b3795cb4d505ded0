/** How a run ended for one input, as its report line says. */
export type Outcome = 'processed' | 'unchanged' | 'failed';

/** One input's line of a run report (`run --json`), wherever it was processed. */
export interface FileReport {
  readonly pipeline: string;
  readonly path: string;
  readonly outcome: Outcome;
  readonly outputs: readonly string[];
  /** Processed, but an output already existed and was left as it was (output.conflict: keep). */
  readonly skipped?: 'output exists';
  readonly error?: { readonly code: string; readonly message: string };
  /** Cluster mode: the node that processed it (or found it up to date). */
  readonly node?: string;
}
