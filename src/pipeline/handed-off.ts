import { sameFingerprint, type Fingerprint } from '../state/store.js';

/** Most versions remembered; the oldest is forgotten first (it is then only handed off again, harmlessly). */
const maxEntries = 100_000;

/**
 * The versions an intake handed to a shared queue lately (cluster mode), so that the scans that come every few
 * seconds do not settle, look up and enqueue again, file by file, a backlog the queue holds already. A version counts
 * as handed off for `ttlMs`: after that it is looked at in full again (the queue may have lost it: Redis lost its data,
 * the job ended without a result). Bounded by `maxEntries`, oldest evicted first.
 */
export class HandedOff {
  readonly #ttlMs: number;
  readonly #versions = new Map<string, { fingerprint: Fingerprint; at: number }>();

  constructor(ttlMs: number) {
    this.#ttlMs = ttlMs;
  }

  remember(key: string, fingerprint: Fingerprint): void {
    this.#versions.delete(key);
    if (this.#versions.size >= maxEntries) this.#versions.delete(this.#versions.keys().next().value!);
    this.#versions.set(key, { fingerprint, at: Date.now() });
  }

  /** True when this version of `key` was handed off less than ttlMs ago. */
  has(key: string, fingerprint: Fingerprint): boolean {
    const seen = this.#versions.get(key);
    if (!seen) return false;
    if (Date.now() - seen.at >= this.#ttlMs) {
      this.#versions.delete(key);
      return false;
    }
    return sameFingerprint(seen.fingerprint, fingerprint);
  }
}
