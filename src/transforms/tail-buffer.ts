/**
 * Keeps the last `limit` bytes written to it and drops the rest: a bounded record of a child's stderr. Memory stays
 * at most `limit` bytes whatever is written.
 */
export class TailBuffer {
  readonly #limit: number;
  #tail: Buffer = Buffer.alloc(0);
  #dropped = false;

  constructor(limit = 4096) {
    this.#limit = limit;
  }

  write(chunk: Buffer): void {
    const joined = chunk.length >= this.#limit ? chunk : Buffer.concat([this.#tail, chunk]);
    if (joined.length > this.#limit) this.#dropped = true;
    // Copy, so a large chunk is not kept alive by a view of its end.
    this.#tail = Buffer.from(joined.subarray(Math.max(0, joined.length - this.#limit)));
  }

  /** The kept bytes as UTF-8, trimmed; prefixed with '…' when earlier bytes were dropped. */
  text(): string {
    const text = this.#tail.toString('utf8').trim();
    return this.#dropped && text !== '' ? `…${text}` : text;
  }
}
