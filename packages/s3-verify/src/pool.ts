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

/**
 * Runs `work` on every item of an async source (a listing) with at most `limit` running at once,
 * reading the source only as fast as the work drains it; stops taking items once `signal` aborts.
 *
 * @example
 * await forEachStreamed(keysOf(storage.list(prefix)), 8, (key) => check(key), signal);
 */
export async function forEachStreamed<T>(
  items: AsyncIterable<T>,
  limit: number,
  work: (item: T) => Promise<void>,
  signal?: AbortSignal,
): Promise<void> {
  const iterator = items[Symbol.asyncIterator]();
  let failure: { error: unknown } | undefined;
  let pulling: Promise<unknown> = Promise.resolve();
  const next = (): Promise<IteratorResult<T>> => {
    // Serialize pulls: an async generator must not be advanced concurrently.
    const step = pulling.then(() => iterator.next());
    pulling = step.catch(() => undefined);
    return step;
  };
  const worker = async () => {
    while (failure === undefined && signal?.aborted !== true) {
      let step: IteratorResult<T>;
      try {
        step = await next();
      } catch (error) {
        failure ??= { error };
        return;
      }
      if (step.done) return;
      try {
        await work(step.value);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, limit) }, worker));
  await iterator.return?.();
  if (failure !== undefined) throw failure.error;
}

/**
 * At most `limit` pieces of work at once, shared by several loops (each may have its own bound too); the others
 * wait in order.
 *
 * @example
 * const reads = new SharedLimit(2);
 * await Promise.all([forEachBounded(files, 2, (f) => reads.run(() => check(f))), forEachBounded(wal, 2, (s) => reads.run(() => check(s)))]);
 */
export class SharedLimit {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly limit: number) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= Math.max(1, this.limit)) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next === undefined) this.running--;
      else next();
    }
  }
}
