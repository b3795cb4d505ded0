import type { ResolvedConfig } from '../config/resolved.js';
import { failedInputNow } from '../ops/retry-item.js';
import type { FileRecord } from '../state/store.js';
import type { DashboardSources } from './sources.js';

/** A recorded failure as the dashboard lists it. */
export interface FailureItem {
  readonly pipeline: string;
  readonly path: string;
  /** Where the input is now: its quarantine (onFailure.moveTo) or its input folder. */
  readonly location: string;
  readonly quarantined: boolean;
  readonly stage: string | null;
  readonly code: string;
  /** The error's first line, at most 300 characters. */
  readonly reason: string;
  readonly attempts: number;
  readonly at: string;
  /** False when a retry would be refused (the input exists again beside its quarantined copy, or is gone). */
  readonly retryable: boolean;
}

/** Most failures listed (newest first); more are counted by `sluice status`, not listed. */
export const maxFailuresListed = 10_000;
/** A cached list is read again after this long even without a new failure (another process may have retried). */
const cacheMs = 5000;

/**
 * The store's failed records, newest first, read at most once per change of the failures revision (or every 5 s) and
 * held as one bounded array (10,000). Where each input is now is looked up only for the rows shown.
 */
export class FailureList {
  readonly #sources: DashboardSources;
  #cached: { revision: number; at: number; records: Promise<readonly FileRecord[]> } | null = null;

  constructor(sources: DashboardSources) {
    this.#sources = sources;
  }

  async records(): Promise<readonly FileRecord[]> {
    const revision = this.#sources.activity.revisions.failures;
    const c = this.#cached;
    if (c && c.revision === revision && Date.now() - c.at < cacheMs) return c.records;
    const records = this.#sources.store().failures(maxFailuresListed);
    this.#cached = { revision, at: Date.now(), records };
    records.catch(() => (this.#cached = null));
    return records;
  }

  /** The dashboard's row of each record (with a look at where its input is). */
  items(records: readonly FileRecord[]): FailureItem[] {
    const config = this.#sources.config();
    return records.map((r) => failureItem(config, r));
  }
}

function failureItem(config: ResolvedConfig, r: FileRecord): FailureItem {
  const p = config.pipelines.find((c) => c.name === r.pipeline);
  const now = p ? failedInputNow(p, r.relPath) : null;
  return {
    pipeline: r.pipeline, path: r.relPath, location: now?.quarantined?.quarantined ?? now?.input ?? r.relPath,
    quarantined: now?.quarantined != null, stage: r.stage, code: r.error?.code ?? 'FAILED',
    reason: oneLine(r.error?.message ?? 'failed'), attempts: r.attempts, at: new Date(r.updatedAt).toISOString(),
    retryable: now !== null && now.refusal === null,
  };
}

function oneLine(message: string): string {
  const line = message.split('\n').map((l) => l.trim()).find((l) => l !== '') ?? message;
  return line.length > 300 ? `${line.slice(0, 299)}…` : line;
}
