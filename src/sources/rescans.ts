export type ScanVia = 'scan' | 'rescan';

export interface RescansOptions {
  /** Runs one reconciliation scan; never rejects (the caller handles its errors). */
  readonly scan: (via: ScanVia) => Promise<void>;
  /** The period of the periodic rescans, read before each one (a reload may change it); 0 or less: none. */
  readonly intervalMs: () => number;
}

/**
 * Reconciliation scans, one at a time: a request while one runs, or while paused, becomes one more scan after it
 * (however many requests came). Periodic requests come every `intervalMs` ± 10 %, jittered so that daemons sharing a
 * disk drift apart. States: running ⇄ paused (a reload) → closed.
 */
export class Rescans {
  readonly #o: RescansOptions;
  #running: Promise<void> | null = null;
  #wanted = false;
  #paused = false;
  #closing: Promise<void> | null = null;
  #timer: NodeJS.Timeout | null = null;

  constructor(options: RescansOptions) {
    this.#o = options;
  }

  /** The first scan (`via` 'scan': the start-up scan), and the periodic ones after it. */
  start(via: ScanVia = 'scan'): void {
    this.request(via);
    this.#schedule();
  }

  /** Asks for a scan: now, or after the one running (coalesced). Ignored once closed. */
  request(via: ScanVia = 'rescan'): void {
    if (this.#closing) return;
    if (this.#running || this.#paused) {
      this.#wanted = true;
      return;
    }
    this.#running = this.#o.scan(via).finally(() => {
      this.#running = null;
      if (this.#wanted && !this.#closing && !this.#paused) {
        this.#wanted = false;
        this.request();
      }
    });
  }

  /** No scans until resume(), periodic ones included; resolves when the running scan (if any) is over. */
  pause(): Promise<void> {
    this.#paused = true;
    this.#clearTimer();
    return this.#running ?? Promise.resolve();
  }

  /** Ends a pause with one scan (requests made meanwhile fold into it) and restarts the periodic ones. */
  resume(via: ScanVia = 'scan'): void {
    this.#paused = false;
    this.#wanted = false;
    this.start(via);
  }

  /** No scans from now on; resolves when the running one is over. Idempotent: the same promise every call. */
  close(): Promise<void> {
    this.#clearTimer();
    this.#closing ??= this.#running ?? Promise.resolve();
    return this.#closing;
  }

  #schedule(): void {
    const interval = this.#o.intervalMs();
    if (interval <= 0 || this.#closing || this.#paused) return;
    const jittered = Math.round(interval * (0.9 + Math.random() * 0.2));
    this.#timer = setTimeout(() => {
      this.request();
      this.#schedule();
    }, jittered);
  }

  #clearTimer(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }
}
