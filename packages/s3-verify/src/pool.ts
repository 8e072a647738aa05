/**
 * Runs `work` on every item with at most `limit` running at once; rejects with the first failure
 * (the others still settle before it returns).
 *
 * @example
 * await forEachBounded(prefixes, 8, (prefix) => listPrefix(prefix));
 */
export async function forEachBounded<T>(
  items: Iterable<T>,
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  const iterator = items[Symbol.iterator]();
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    for (let next = iterator.next(); !next.done && failure === undefined; next = iterator.next()) {
      try {
        await work(next.value);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, limit) }, worker));
  if (failure !== undefined) throw failure.error;
}
