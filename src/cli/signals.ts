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
