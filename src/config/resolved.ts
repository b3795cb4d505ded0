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
  /** The extension of this stage's temp file when another stage follows; null: the input's. */
  readonly ext: string | null;
}

/** What happens when an output path exists and this input's previous record does not list it. */
export type Conflict = 'replace' | 'keep' | 'fail' | 'rename';

export interface ResolvedPipeline {
  readonly name: string;
  readonly input: {
    readonly dir: string;
    readonly include: readonly string[];
    readonly exclude: readonly string[];
    readonly settleMs: number;
    /** Absolute folders inside `dir` that sluice writes to (outputs, archives, state): never read as input. */
    readonly excludedDirs: readonly string[];
    /** The ready marker each input waits for (placeholders {base} {name} {ext}, a name in its folder); null: none. */
    readonly marker: Template | null;
  };
  readonly output: {
    readonly dir: string;
    /** A folder template (template.folder) makes every file the last stage leaves in `{outDir}` an output. */
    readonly template: Template;
    readonly mode: 'replace' | 'append';
    readonly maxFiles: number;
    /** Written empty inside `dir` once an input's outputs are committed; removed before they are replaced. */
    readonly marker: Template | null;
    readonly conflict: Conflict;
  };
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
  /** In cluster mode, this node's own folder: `<stateDir>/nodes/<node>`. */
  readonly stateDir: string;
  readonly log: { readonly level: LogLevel; readonly format: LogFormat; readonly file: string | null };
  readonly queue: { readonly capacity: number };
  readonly rescanIntervalMs: number;
  readonly shutdownGraceMs: number;
  /** Where the dashboard, its API, `/metrics` and `/healthz` are served; null when off. Port 0 picks a free port. */
  readonly http: HttpSettings | null;
  /** Cluster mode; null: one node on SQLite. */
  readonly cluster: ClusterSettings | null;
  readonly pipelines: readonly ResolvedPipeline[];
}

/** The `http:` block. */
export interface HttpSettings {
  readonly host: string;
  readonly port: number;
  /** Required unless `host` is loopback; every request but `/healthz` must then carry it (bearer or session cookie). */
  readonly token: string | null;
  /** Retry from the page and `POST /api/retry`; read-only when false. */
  readonly actions: boolean;
  /** Host names requests may name besides the listener's own address and localhost. */
  readonly allowedHosts: readonly string[];
}

/** The `cluster:` block, resolved: `node` is always set (the host name and pid when the config leaves it null). */
export interface ClusterSettings {
  readonly redis: string;
  readonly prefix: string;
  readonly node: string;
  /** The config names the node (else it is the host name and pid, and its folder below stateDir goes at a clean stop). */
  readonly named: boolean;
  /** How long a silent node keeps a job and its output leases. */
  readonly lockMs: number;
  /** How often the scanner lists each input folder. */
  readonly scanIntervalMs: number;
}
