import { AbortedError, SluiceError, describe } from '../errors.js';

/** Options of every wait in core. */
export interface WaitOptions {
  /** Abandons the wait: it rejects with `abortReason(signal)` and leaves no listener or timer behind. */
  signal?: AbortSignal;
}

/** Longest delay a Node timer can hold (about 24.8 days); a longer one would fire after 1 ms. */
export const MAX_DELAY_MS = 2 ** 31 - 1;

/**
 * What an aborted wait rejects with: the signal's reason when it is a meaningful error (a SluiceError or any custom
 * Error); an AbortedError (code ABORTED) for a bare `abort()` or a non-Error reason, keeping the reason as its cause.
 */
export function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof SluiceError) return reason;
  if (reason instanceof Error && reason.name !== 'AbortError') return reason;
  const message = reason === undefined || reason instanceof Error ? 'aborted' : describe(reason);
  return new AbortedError(message, { cause: reason });
}

/** Throws `abortReason(signal)` when the signal has already fired. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortReason(signal);
}

/** @throws RangeError unless `ms` is in [0, MAX_DELAY_MS] or Infinity (never fires). */
function checkDelay(ms: number, what: string): void {
  if (!(ms >= 0) || (ms > MAX_DELAY_MS && ms !== Infinity)) {
    throw new RangeError(`${what}: ms must be in [0, ${MAX_DELAY_MS}] or Infinity, got ${ms}`);
  }
}

/**
 * Resolves after `ms` milliseconds; `Infinity` waits for the signal alone. On abort it rejects with
 * `abortReason(signal)` and clears its timer; either way the abort listener is removed.
 */
export function sleep(ms: number, { signal }: WaitOptions = {}): Promise<void> {
  checkDelay(ms, 'sleep');
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(abortReason(signal));
    let timer: NodeJS.Timeout | undefined;
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortReason(signal!));
    };
    if (ms !== Infinity) {
      timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
    }
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** A signal that follows several others, and the means to stop following them. */
export interface LinkedSignal {
  /** Aborts, with the same reason, as soon as any input aborts (at once if one already has). */
  readonly signal: AbortSignal;
  /** Removes every listener from the inputs. Idempotent; the linked signal keeps its state. */
  dispose(): void;
}

/**
 * Links signals into one (undefined inputs are ignored). Unlike `AbortSignal.any`, the listeners it adds are removed
 * on `dispose()` or on the first abort, so a long-lived input signal does not accumulate them.
 */
export function linkSignals(...signals: (AbortSignal | undefined)[]): LinkedSignal {
  const controller = new AbortController();
  const inputs = signals.filter((s): s is AbortSignal => s !== undefined);
  const fired = inputs.find((s) => s.aborted);
  if (fired) {
    controller.abort(fired.reason);
    return { signal: controller.signal, dispose: () => {} };
  }
  const links = inputs.map((input) => {
    const onAbort = (): void => {
      dispose();
      controller.abort(input.reason);
    };
    input.addEventListener('abort', onAbort, { once: true });
    return { input, onAbort };
  });
  function dispose(): void {
    for (const { input, onAbort } of links.splice(0)) input.removeEventListener('abort', onAbort);
  }
  return { signal: controller.signal, dispose };
}

export interface TimeoutOptions extends WaitOptions {
  /** Builds the error to reject with at the deadline; it is also the reason `fn`'s signal is aborted with. */
  onTimeout: () => Error;
}

/**
 * Runs `fn` with a signal that aborts at the deadline (`ms`, or `Infinity` for none) or when `options.signal` aborts.
 * The returned promise races `fn`: at the deadline it rejects with `onTimeout()` even if `fn` ignores its signal and
 * never settles (on outer abort, with `abortReason(signal)`). The timer and listener are gone once it settles; a late
 * outcome of `fn` is ignored, never left unhandled.
 */
export function withTimeout<T>(
  fn: (signal: AbortSignal) => Promise<T>,
  ms: number,
  { signal, onTimeout }: TimeoutOptions,
): Promise<T> {
  checkDelay(ms, 'withTimeout');
  if (signal?.aborted) return Promise.reject(abortReason(signal));
  const controller = new AbortController();
  return new Promise<T>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const cleanup = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    const fail = (err: Error): void => {
      cleanup();
      controller.abort(err);
      reject(err);
    };
    const onAbort = (): void => fail(abortReason(signal!));
    signal?.addEventListener('abort', onAbort, { once: true });
    if (ms !== Infinity) timer = setTimeout(() => fail(timeoutError(onTimeout)), ms);
    let work: Promise<T>;
    try {
      work = Promise.resolve(fn(controller.signal));
    } catch (err) {
      cleanup();
      return reject(err);
    }
    work.then(
      (value) => {
        cleanup();
        resolve(value);
      },
      (err: unknown) => {
        cleanup();
        reject(err);
      },
    );
  });
}

function timeoutError(onTimeout: () => Error): Error {
  try {
    return onTimeout();
  } catch (err) {
    return err instanceof Error ? err : new Error(describe(err));
  }
}
