import type { AppendIntent, FileRecord, InputKey, PipelineCounts, StateStore } from './store.js';

/** An in-memory StateStore for tests and dry runs; it holds what it is given (its users bound what they give). */
export class MemoryStore implements StateStore {
  readonly #files = new Map<string, FileRecord>();
  readonly #appends = new Map<string, AppendIntent>();

  get(pipeline: string, relPath: string): FileRecord | undefined {
    return this.#files.get(`${pipeline}\0${relPath}`);
  }

  put(record: FileRecord, appendDone?: string): void {
    this.#files.set(`${record.pipeline}\0${record.relPath}`, record);
    if (appendDone !== undefined) this.#appends.delete(appendDone);
  }

  putAll(records: readonly FileRecord[]): void {
    for (const record of records) this.put(record);
  }

  markDisposed(pipeline: string, relPath: string): void {
    const record = this.get(pipeline, relPath);
    if (record) this.put({ ...record, disposed: true });
  }

  markAllDisposed(keys: readonly InputKey[]): void {
    for (const k of keys) this.markDisposed(k.pipeline, k.relPath);
  }

  markAllFinished(keys: readonly InputKey[]): void {
    for (const k of keys) {
      const record = this.get(k.pipeline, k.relPath);
      if (record) this.put({ ...record, finish: null });
    }
  }

  pendingFinishes(limit: number): FileRecord[] {
    return [...this.#files.values()].filter((r) => r.finish != null).slice(0, limit);
  }

  delete(pipeline: string, relPath: string): void {
    this.#files.delete(`${pipeline}\0${relPath}`);
  }

  beginAppend(intent: AppendIntent): void {
    this.#appends.set(intent.path, intent);
  }

  endAppend(path: string): void {
    this.#appends.delete(path);
  }

  appends(): AppendIntent[] {
    return [...this.#appends.values()];
  }

  pendingDisposals(limit: number): FileRecord[] {
    const found: FileRecord[] = [];
    for (const r of this.#files.values()) {
      if (found.length >= limit) break;
      if (!r.disposed) found.push(r);
    }
    return found;
  }

  counts(): PipelineCounts[] {
    const by = new Map<string, { done: number; failed: number }>();
    for (const r of this.#files.values()) {
      const c = by.get(r.pipeline) ?? { done: 0, failed: 0 };
      c[r.status] += 1;
      by.set(r.pipeline, c);
    }
    return [...by].map(([pipeline, c]) => ({ pipeline, ...c }));
  }

  producersOf(output: string, limit: number): FileRecord[] {
    return [...this.#files.values()].filter((r) => r.outputs.includes(output))
      .sort((a, b) => b.updatedAt - a.updatedAt).slice(0, limit);
  }

  close(): void {}
}
