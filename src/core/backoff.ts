export interface BackoffOptions {
  /** Delay ceiling before the first retry, in milliseconds; doubles on each further attempt. */
  backoffMs: number;
  /** Upper bound on the ceiling, in milliseconds. */
  maxBackoffMs: number;
}

/**
 * The delay before retry number `attempt` (1 for the first retry), with "equal jitter": the ceiling
 * `d = min(maxBackoffMs, backoffMs * 2^(attempt - 1))` is halved, one half kept and the other scaled by `random()`,
 * so the delay lies in [d/2, d]: retries spread out, yet never come back sooner than half the ceiling. Pure given
 * `random` (a function returning [0, 1); values outside are clamped, NaN counts as 0). Not rounded.
 * @throws RangeError unless `attempt` is an integer ≥ 1 and both bounds are finite and ≥ 0.
 */
export function backoffDelay(
  attempt: number,
  { backoffMs, maxBackoffMs }: BackoffOptions,
  random: () => number = Math.random,
): number {
  if (!Number.isInteger(attempt) || attempt < 1) throw new RangeError(`attempt must be an integer >= 1, got ${attempt}`);
  if (!(backoffMs >= 0 && Number.isFinite(backoffMs)) || !(maxBackoffMs >= 0 && Number.isFinite(maxBackoffMs))) {
    throw new RangeError(`backoffMs and maxBackoffMs must be finite and >= 0, got ${backoffMs} and ${maxBackoffMs}`);
  }
  // 2^1023 is the largest finite power of two: the product stays a number (never NaN, even for backoffMs 0).
  const ceiling = Math.min(maxBackoffMs, backoffMs * 2 ** Math.min(attempt - 1, 1023));
  const half = ceiling / 2;
  const drawn = random();
  const r = drawn >= 0 ? Math.min(drawn, 1) : 0; // NaN and negatives count as 0
  return Math.min(ceiling, half + r * half);
}
