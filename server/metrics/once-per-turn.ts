/**
 * `read`, called at most once per turn of the event loop. A scrape collects all its gauges in one
 * turn, so the gauges fed by the same source (one snapshot, one round trip to Redis) share it,
 * and the next scrape reads afresh.
 */
export function oncePerTurn<T>(read: () => T): () => T {
  let taken: { value: T } | null = null;
  return () => {
    if (!taken) {
      taken = { value: read() };
      setImmediate(() => {
        taken = null;
      });
    }
    return taken.value;
  };
}
