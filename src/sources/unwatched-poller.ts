import path from 'node:path';

/** How often folders the watcher could not watch are walked. */
export const unwatchedPollMs = 2000;
/** Most unwatched folders remembered one by one; beyond it every input folder is polled whole. */
const maxUnwatched = 4096;

export interface UnwatchedPollerOptions {
  readonly intervalMs?: number;
  /** Walks one folder's subtree (absolute path), offering its files to the intake. */
  readonly walk: (absDir: string) => Promise<void>;
  /** Walks every input folder (a full rescan). */
  readonly walkAll: () => Promise<void>;
  /** Told when polling starts (how many folders, the first one) and again if it widens to every input folder. */
  readonly onPolling: (info: { folders: number; all: boolean; first: string; code: string }) => void;
  readonly onError: (err: unknown) => void;
}

/**
 * The fallback for folders the watcher could not watch (inotify's watch limit): their subtrees are walked every
 * `intervalMs` until the process stops, so a change inside them is seen late but never missed. Bounded: past
 * `maxUnwatched` folders it stops remembering them and polls everything.
 */
export class UnwatchedPoller {
  readonly #o: UnwatchedPollerOptions;
  readonly #dirs = new Set<string>();
  #all = false;
  #fresh: { first: string; code: string } | null = null;
  #warned = false;
  #timer: NodeJS.Timeout | null = null;
  #round: Promise<void> | null = null;
  #closed = false;

  constructor(options: UnwatchedPollerOptions) {
    this.#o = options;
  }

  get polling(): number {
    return this.#dirs.size;
  }

  add(absDir: string, code: string): void {
    if (this.#closed || this.#all || this.#dirs.has(absDir)) return;
    if (this.#dirs.size >= maxUnwatched) {
      this.#all = true;
      this.#dirs.clear();
      this.#fresh ??= { first: absDir, code };
    } else {
      this.#dirs.add(absDir);
    }
    // One warning when polling starts, one more if it widens to everything: not one per folder or per round.
    if (!this.#warned) this.#fresh ??= { first: absDir, code };
    this.#warned = true;
    this.#timer ??= setTimeout(() => this.#poll(), 0);
  }

  #poll(): void {
    this.#round = this.#walk().finally(() => {
      this.#round = null;
      if (!this.#closed) this.#timer = setTimeout(() => this.#poll(), this.#o.intervalMs ?? unwatchedPollMs);
    });
  }

  async #walk(): Promise<void> {
    if (this.#fresh) {
      this.#o.onPolling({ folders: this.#dirs.size, all: this.#all, ...this.#fresh });
      this.#fresh = null;
    }
    try {
      if (this.#all) return await this.#o.walkAll();
      const walked: string[] = [];
      for (const dir of [...this.#dirs].sort((a, b) => a.length - b.length)) {
        if (this.#closed) return;
        if (walked.some((w) => dir.startsWith(`${w}${path.sep}`))) continue;
        walked.push(dir);
        await this.#o.walk(dir);
      }
    } catch (err) {
      if (!this.#closed) this.#o.onError(err);
    }
  }

  /** Stops polling; resolves when a walk in progress has ended. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#round;
  }
}
