import path from 'node:path';

/** How long after a folder appears it is walked again: by then it is watched, so no file falls between the two. */
const settleDelayMs = 300;
/** Most new folders remembered for that second walk; beyond it a full rescan is cheaper to reason about. */
const maxPending = 256;

export interface FolderWalksOptions {
  /** Offers the files below one folder to the intake; resolves quietly when the walk was aborted. */
  readonly walk: (absDir: string) => Promise<void>;
  /** More new folders than `maxPending` at once: the caller rescans everything instead. */
  readonly onTooMany: () => void;
  readonly onError: (err: unknown) => void;
}

/**
 * Walks of folders that appear while watching. Only folders are watched, so the watcher reports none of the files a
 * new folder already holds: each is walked at once, and the new folders of the last moment once more `settleDelayMs`
 * later (skipping those inside another), for files written before the folder's own watch was in place. Walks run one
 * after another. close() stops taking folders and waits for the walks under way.
 */
export class FolderWalks {
  readonly #o: FolderWalksOptions;
  readonly #pending = new Set<string>();
  #timer: NodeJS.Timeout | null = null;
  #chain: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(options: FolderWalksOptions) {
    this.#o = options;
  }

  add(absDir: string): void {
    if (this.#closed) return;
    if (this.#pending.size >= maxPending) {
      this.#pending.clear();
      this.#o.onTooMany();
      return;
    }
    this.#pending.add(absDir);
    this.#then(() => this.#o.walk(absDir));
    this.#timer ??= setTimeout(() => {
      this.#timer = null;
      this.#then(() => this.#walkPending());
    }, settleDelayMs);
  }

  async #walkPending(): Promise<void> {
    const folders = [...this.#pending].sort((a, b) => a.length - b.length);
    this.#pending.clear();
    const walked: string[] = [];
    for (const folder of folders) {
      if (walked.some((w) => folder.startsWith(`${w}${path.sep}`))) continue;
      walked.push(folder);
      await this.#o.walk(folder);
    }
  }

  #then(step: () => Promise<void>): void {
    this.#chain = this.#chain.then(step).catch((err: unknown) => this.#o.onError(err));
  }

  /** Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#pending.clear();
    await this.#chain;
  }
}
