/** What a power-loss case does (see PowerCase), and what it reports. */
import type { Mode } from './layout.js';

export interface CaseSpec extends Mode {
  readonly command: 'run' | 'watch';
  /** Durable inputs in the inbox before the first start. */
  readonly files: number;
  /** Power cuts to make. */
  readonly cuts: number;
  /** Inputs added durably in each round after the first: `run` before the start, `watch` while it runs. */
  readonly perRound: number;
  /**
   * Inputs rewritten durably with a new version of another length (see Corpus.rewriteOneOf), each round, among those
   * processed already: `run` before each start after the first, `watch` while it runs. Only with onSuccess keep.
   */
  readonly rewrites?: number;
  /**
   * The output, archive and state folders exist (durably) before sluice first starts, as an operator would make them;
   * otherwise sluice creates them and must make them durable itself.
   */
  readonly premade: boolean;
  /**
   * `syncfs`: sluice flushes with syncfs where it batches (SLUICE_FLUSH=syncfs), which powerfs gets as its whole-fs
   * `sync` (SLUICE_TEST_SYNCFS); otherwise sluice fsyncs file by file, as it does on any FUSE file system.
   */
  readonly flush?: 'syncfs';
}

export interface CaseReport {
  readonly cuts: number;
  readonly files: number;
  /** Durable rewrites made (new versions of inputs). */
  readonly rewrites: number;
  readonly violations: readonly string[];
  /** One line per round: when the cut came and what was at risk. */
  readonly rounds: readonly string[];
}
