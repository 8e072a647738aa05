/**
 * Wraps a cleanup so it runs once: later and concurrent callers get the first run's promise, so
 * they return only when that cleanup has finished (and see its failure).
 *
 * @example
 * const stop = stopOnce(async () => { await server.close(); });
 * await Promise.all([stop(), stop()]); // server.close() ran once
 */
export function stopOnce(cleanup: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => {
    running ??= cleanup();
    return running;
  };
}

/** A start-up step of a test stack or S3 endpoint, as reported to `onStep`. */
export type StartStep =
  | 'directories'
  | 'certificate'
  | 's3rver'
  | 'relay'
  | 'container'
  | 'prepare container'
  | 'initdb'
  | 'configure'
  | 'start PostgreSQL'
  | 'readiness'
  | 'pgbackrest version';

/** Called as each start-up step begins; a throw (or a rejected promise) aborts the start. */
export type OnStartStep = (step: StartStep) => void | Promise<void>;
