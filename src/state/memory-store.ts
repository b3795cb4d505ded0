import type { AppendIntent, FileRecord, InputKey, PipelineCounts, StateStore } from './store.js';

/** An in-memory StateStore for tests and dry runs; it holds what it is given (its users bound what they give). */
export class MemoryStore implements StateStore {
  readonly #files = new Map<string, FileRecord>();
  readonly #appends = new Map<string, AppendIntent>();

  async get(pipeline: string, relPath: string): Promise<FileRecord | undefined> {
    return this.#files.get(`${pipeline}\0${relPath}`);
  }

  async put(record: FileRecord, appendDone?: string): Promise<void> {
    this.#put(record);
    if (appendDone !== undefined) this.#appends.delete(appendDone);
  }

  async putAll(records: readonly FileRecord[]): Promise<void> {
    for (const record of records) this.#put(record);
  }

  async markDisposed(pipeline: string, relPath: string): Promise<void> {
    this.#update({ pipeline, relPath }, { disposed: true });
  }

  async markAllDisposed(keys: readonly InputKey[]): Promise<void> {
    for (const k of keys) this.#update(k, { disposed: true });
  }

  async markAllFinished(keys: readonly InputKey[]): Promise<void> {
    for (const k of keys) this.#update(k, { finish: null });
  }

  async pendingFinishes(limit: number): Promise<FileRecord[]> {
    return [...this.#files.values()].filter((r) => r.finish != null).slice(0, limit);
  }

  async delete(pipeline: string, relPath: string): Promise<void> {
    this.#files.delete(`${pipeline}\0${relPath}`);
  }

  async beginAppend(intent: AppendIntent): Promise<void> {
    this.#appends.set(intent.path, intent);
  }

  async endAppend(path: string): Promise<void> {
    this.#appends.delete(path);
  }

  async appends(): Promise<AppendIntent[]> {
    return [...this.#appends.values()];
  }

  async pendingDisposals(limit: number): Promise<FileRecord[]> {
    return [...this.#files.values()].filter((r) => !r.disposed).slice(0, limit);
  }

  async counts(): Promise<PipelineCounts[]> {
    const by = new Map<string, { done: number; failed: number }>();
    for (const r of this.#files.values()) {
      const c = by.get(r.pipeline) ?? { done: 0, failed: 0 };
      c[r.status] += 1;
      by.set(r.pipeline, c);
    }
    return [...by].map(([pipeline, c]) => ({ pipeline, ...c }));
  }

  async producersOf(output: string, limit: number): Promise<FileRecord[]> {
    return [...this.#files.values()].filter((r) => r.outputs.includes(output))
      .sort((a, b) => b.updatedAt - a.updatedAt).slice(0, limit);
  }

  async failures(limit: number): Promise<FileRecord[]> {
    return [...this.#files.values()].filter((r) => r.status === 'failed')
      .sort((a, b) => b.updatedAt - a.updatedAt).slice(0, limit);
  }

  async close(): Promise<void> {}

  #put(record: FileRecord): void {
    this.#files.set(`${record.pipeline}\0${record.relPath}`, record);
  }

  #update(key: InputKey, change: Partial<FileRecord>): void {
    const record = this.#files.get(`${key.pipeline}\0${key.relPath}`);
    if (record) this.#put({ ...record, ...change });
  }
}
