import { AbortedError, SluiceError, describe } from '../errors.js';

/**
 * What an aborted transform rejects with: the signal's reason when it is a meaningful error (a StageTimeoutError, an
 * AbortedError, any SluiceError or custom Error); an AbortedError (code ABORTED) for a bare `abort()` or a
 * non-Error reason, keeping the reason as its cause.
 */
export function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof SluiceError) return reason;
  if (reason instanceof Error && reason.name !== 'AbortError') return reason;
  const message = reason === undefined || reason instanceof Error ? 'aborted' : describe(reason);
  return new AbortedError(message, { cause: reason });
}

/** Throws `abortReason(signal)` when the signal has already fired. */
export function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw abortReason(signal);
}
