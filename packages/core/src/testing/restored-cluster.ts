import { startRecoveredCluster } from '../drill/recovered-cluster.js';
import { ensureSuccess, type PgBackRestStack } from './stack.js';
import { freeLoopbackPort } from './stack-bootstrap.js';

export type { RestoredClusterFailure } from '../drill/errors.js';
export {
  isRecoveryTargetNotReachedError,
  isRestoredClusterError,
  RecoveryTargetNotReachedError,
  RestoredClusterError,
} from '../drill/errors.js';
export { recoveryLogExcerpt } from '../drill/recovery-log.js';

/** Options for {@link startRestoredCluster}. */
export interface RestoredClusterOptions {
  /** The data directory pgBackRest restored into, inside the stack (owned by postgres, not running). */
  readonly dataPath: string;
  /** Port on 127.0.0.1; default a free one. */
  readonly port?: number;
  /** Milliseconds for start-up and recovery together; default 180 000. */
  readonly timeout?: number;
  /** PostgreSQL log file inside the stack; default `<dataPath>/restored-cluster.log`. */
  readonly logPath?: string;
}

/** A PostgreSQL cluster running on a restored data directory inside a stack, recovery finished. */
export interface RestoredCluster extends AsyncDisposable {
  readonly dataPath: string;
  /** Port on 127.0.0.1 (the Unix socket is in the data directory). */
  readonly port: number;
  readonly logPath: string;
  /** Runs SQL with psql (unaligned, tuples only) and returns its stdout without the final newline; throws on error. */
  psql(sql: string): Promise<string>;
  /** The PostgreSQL log of this cluster so far. */
  log(): Promise<string>;
  /** Stops PostgreSQL (fast shutdown); leaves the data directory. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts PostgreSQL on a data directory restored by pgBackRest, inside the stack (as postgres, on
 * 127.0.0.1 and a Unix socket in the data directory, its own log file), and waits until recovery has
 * finished: `pg_is_in_recovery()` false after promotion. The same start-and-wait as `runRestoreDrill`
 * (`startRecoveredCluster`), reachable over loopback TCP for tests. Throws
 * {@link RecoveryTargetNotReachedError} when PostgreSQL stops because the WAL to reach the target is
 * missing, {@link RestoredClusterError} for any other failed start, stop during recovery, or recovery
 * still running at the timeout (e.g. `target-action=pause`); the server is stopped before either is thrown.
 *
 * @example
 * await client.restore({ type: 'time', target, 'target-action': 'promote', 'pg1-path': dir, 'archive-mode': 'off' });
 * await using restored = await startRestoredCluster(stack, { dataPath: dir });
 * const rows = await restored.psql('SELECT count(*) FROM orders');
 */
export async function startRestoredCluster(
  stack: PgBackRestStack,
  options: RestoredClusterOptions,
): Promise<RestoredCluster> {
  const { dataPath } = options;
  const port = options.port ?? (await freeLoopbackPort());
  const cluster = await startRecoveredCluster({
    run: (file, args, opts) => stack.exec(file, args, opts),
    dataPath,
    pgBin: `/usr/lib/postgresql/${stack.pgMajor}/bin`,
    socketDir: dataPath,
    port,
    listen: 'loopback',
    logPath: options.logPath ?? `${dataPath}/restored-cluster.log`,
    timeout: options.timeout ?? 180_000,
  });
  return {
    dataPath,
    port,
    logPath: cluster.logPath,
    psql: async (sql) => {
      const result = await cluster.query(sql);
      return ensureSuccess(`psql on ${dataPath} ${JSON.stringify(sql.slice(0, 60))}`, result).stdout.replace(
        /\n+$/,
        '',
      );
    },
    log: cluster.log,
    stop: cluster.stop,
    [Symbol.asyncDispose]: cluster.stop,
  };
}
