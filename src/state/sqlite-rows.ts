import type { FileRecord, Finish } from './store.js';

/** The `files` and `appends` tables of state.db, and how a FileRecord maps to a row. */
export const schema = `
create table if not exists files (
  pipeline text not null, rel_path text not null,
  size integer not null, mtime_ms real not null, ino text not null,
  hash text not null, status text not null, outputs text not null, attempts integer not null,
  stage text, error_code text, error_message text, updated_at integer not null, disposed integer not null,
  error_class text, finish text,
  primary key (pipeline, rel_path)
) without rowid;
create table if not exists appends (path text primary key, size integer not null) without rowid;
`;

/** Columns added since the first schema, in order (ALTER TABLE appends them, so positional inserts still line up). */
export const addedColumns = [['error_class', 'text'], ['finish', 'text']] as const;

export const indexes = `
create index if not exists files_pending on files (pipeline, rel_path) where disposed = 0;
create index if not exists files_finish on files (pipeline, rel_path) where finish is not null;
create index if not exists files_failed on files (updated_at) where status = 'failed';
`;

export interface Row {
  pipeline: string; rel_path: string; size: number; mtime_ms: number; ino: string; hash: string; status: string;
  outputs: string; attempts: number; stage: string | null; error_code: string | null; error_message: string | null;
  updated_at: number; disposed: number; error_class?: string | null; finish?: string | null;
}

export function toRow(r: FileRecord): Row {
  return {
    pipeline: r.pipeline, rel_path: r.relPath, size: r.fingerprint.size, mtime_ms: r.fingerprint.mtimeMs,
    ino: String(r.fingerprint.ino), hash: r.hash, status: r.status, outputs: JSON.stringify(r.outputs),
    attempts: r.attempts, stage: r.stage, error_code: r.error?.code ?? null, error_message: r.error?.message ?? null,
    updated_at: r.updatedAt, disposed: r.disposed ? 1 : 0, error_class: r.error?.kind ?? null,
    finish: r.finish == null ? null : JSON.stringify(r.finish),
  };
}

export function fromRow(row: Row): FileRecord {
  return {
    pipeline: row.pipeline, relPath: row.rel_path,
    fingerprint: { size: row.size, mtimeMs: row.mtime_ms, ino: Number(row.ino) },
    hash: row.hash, status: row.status === 'failed' ? 'failed' : 'done', outputs: JSON.parse(row.outputs) as string[],
    attempts: row.attempts, stage: row.stage,
    error: row.error_code === null ? null : {
      code: row.error_code, message: row.error_message ?? '',
      ...(row.error_class === 'transient' || row.error_class === 'permanent' ? { kind: row.error_class } : {}),
    },
    updatedAt: row.updated_at, disposed: row.disposed === 1,
    ...(row.finish == null ? {} : { finish: JSON.parse(row.finish) as Finish }),
  };
}
