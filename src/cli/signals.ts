/**
 * Calls `first` on the first SIGTERM or SIGINT and `second` on any after it. Returns a function that removes the
 * handlers.
 */
export function onStopSignals(first: () => void, second: () => void): () => void {
  let count = 0;
  const handler = () => {
    count += 1;
    if (count === 1) first();
    else second();
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
  return () => {
    process.off('SIGTERM', handler);
    process.off('SIGINT', handler);
  };
}

/** Calls `reload` on every SIGHUP (the conventional "re-read your config"). Returns a function that removes the handler. */
export function onReloadSignal(reload: () => void): () => void {
  const handler = () => reload();
  process.on('SIGHUP', handler);
  return () => {
    process.off('SIGHUP', handler);
  };
}
