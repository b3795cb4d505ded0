import { getEventListeners } from 'node:events';

/** Lets every pending microtask run (setImmediate fires after the microtask queue drains). */
export const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** How many abort listeners a signal still carries: every wait must remove its own. */
export const listeners = (signal: AbortSignal): number => getEventListeners(signal, 'abort').length;

export type State = 'pending' | 'fulfilled' | 'rejected';

/** Tracks a promise's state without awaiting it. */
export function track<T>(promise: Promise<T>): { state: State; value?: T; error?: unknown } {
  const t: { state: State; value?: T; error?: unknown } = { state: 'pending' };
  promise.then(
    (value) => Object.assign(t, { state: 'fulfilled', value }),
    (error: unknown) => Object.assign(t, { state: 'rejected', error }),
  );
  return t;
}
