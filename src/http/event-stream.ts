import type { ServerResponse } from 'node:http';

export interface EventStreamOptions {
  /** The data of each `status` event: computed once per send, for every client. */
  readonly snapshot: () => Promise<unknown>;
  /** Least time between two sends (coalescing). @default 500 */
  readonly minGapMs?: number;
  /** Most time between two sends, changed or not. @default 10000 */
  readonly maxGapMs?: number;
  /** Most clients at once; more get a 503. @default 32 */
  readonly maxClients?: number;
}

/** Bytes a client may have unsent before it is dropped (its browser reconnects and gets a fresh state). */
const maxBacklog = 1024 * 1024;

/**
 * The dashboard's server-sent events: one `status` event for every client at most every `minGapMs` after a change
 * (changes in between coalesce into it) and at least every `maxGapMs`. Bounded: `maxClients` streams, each with at most
 * 1 MiB unsent. close() ends every stream and is idempotent.
 */
export class EventStream {
  readonly #o: Required<EventStreamOptions>;
  readonly #clients = new Set<ServerResponse>();
  #timer: NodeJS.Timeout | null = null;
  #lastSent = 0;
  #sending = false;
  #dirty = false;
  #closed = false;
  readonly #heartbeat: NodeJS.Timeout;

  constructor(o: EventStreamOptions) {
    this.#o = { minGapMs: 500, maxGapMs: 10_000, maxClients: 32, ...o };
    this.#heartbeat = setInterval(() => this.changed(), this.#o.maxGapMs).unref();
  }

  /** Starts a stream on `res`; false (nothing written) when there are already maxClients. */
  attach(res: ServerResponse): boolean {
    if (this.#closed || this.#clients.size >= this.#o.maxClients) return false;
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive' });
    res.write('retry: 2000\n\n');
    this.#clients.add(res);
    res.on('close', () => this.#clients.delete(res));
    void this.#sendTo([res]);
    return true;
  }

  /** Something shown changed: a send is due within minGapMs. */
  changed(): void {
    if (this.#closed || this.#clients.size === 0) return;
    this.#dirty = true;
    if (this.#timer !== null || this.#sending) return;
    const wait = Math.max(0, this.#lastSent + this.#o.minGapMs - Date.now());
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.#flush();
    }, wait).unref();
  }

  close(): void {
    this.#closed = true;
    clearInterval(this.#heartbeat);
    if (this.#timer) clearTimeout(this.#timer);
    for (const res of this.#clients) res.end();
    this.#clients.clear();
  }

  async #flush(): Promise<void> {
    this.#sending = true;
    this.#dirty = false;
    try {
      await this.#sendTo([...this.#clients]);
    } finally {
      this.#sending = false;
      this.#lastSent = Date.now();
      if (this.#dirty) this.changed();
    }
  }

  async #sendTo(clients: readonly ServerResponse[]): Promise<void> {
    let text: string;
    try {
      text = `event: status\ndata: ${JSON.stringify(await this.#o.snapshot())}\n\n`;
    } catch {
      return; // The next change or heartbeat tries again.
    }
    for (const res of clients) {
      if (res.destroyed || this.#closed) continue;
      if (res.writableLength > maxBacklog) res.destroy();
      else res.write(text);
    }
  }
}
