import type { TransformDefinition } from '../transforms/types.js';
import type { LogFormat, LogLevel } from './schema.js';
import type { Template } from './template.js';

/** What becomes of an input after its pipeline finished with it. */
export type Disposition = { readonly kind: 'keep' } | { readonly kind: 'delete' } | { readonly kind: 'move'; readonly dir: string };

export interface ResolvedStage {
  readonly index: number;
  /** As written in the config (`gzip`, `./x.mjs`): used in logs, sidecars and reports. */
  readonly use: string;
  readonly transform: TransformDefinition;
  readonly options: unknown;
  readonly concurrency: number;
  readonly timeoutMs: number;
}

export interface ResolvedPipeline {
  readonly name: string;
  readonly input: {
    readonly dir: string;
    readonly include: readonly string[];
    readonly exclude: readonly string[];
    readonly settleMs: number;
    /** Absolute folders inside `dir` that sluice writes to (outputs, archives, state): never read as input. */
    readonly excludedDirs: readonly string[];
  };
  readonly output: { readonly dir: string; readonly template: Template; readonly mode: 'replace' | 'append' };
  readonly onSuccess: Disposition;
  readonly onFailure: Disposition;
  readonly retry: { readonly attempts: number; readonly backoffMs: number; readonly maxBackoffMs: number };
  readonly stages: readonly ResolvedStage[];
  /** Digest of stages, their options and output settings: a change reprocesses every input. */
  readonly hash: string;
}

/** The compiled, frozen config every layer below the CLI works with. All paths are absolute. */
export interface ResolvedConfig {
  /** The config file, or null for the built-in default. */
  readonly file: string | null;
  readonly baseDir: string;
  readonly stateDir: string;
  readonly log: { readonly level: LogLevel; readonly format: LogFormat; readonly file: string | null };
  readonly queue: { readonly capacity: number };
  readonly rescanIntervalMs: number;
  readonly shutdownGraceMs: number;
  /** Where `/metrics` and `/healthz` are served; null when off. Port 0 picks a free port. */
  readonly metrics: { readonly host: string; readonly port: number } | null;
  readonly pipelines: readonly ResolvedPipeline[];
}
