import type { ProcessResult } from '../exec/process.js';
import { ensureSuccess, type PgBackRestStack } from './stack.js';
import { freeLoopbackPort } from './stack-bootstrap.js';

const BRAND = Symbol.for('@chronos/pgbackrest/testing/restored-cluster-error');
const TARGET_NOT_REACHED = Symbol.for('@chronos/pgbackrest/testing/recovery-target-not-reached');
const NOT_REACHED_LINE = /recovery ended before configured recovery target was reached/;

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

/** Why a restored cluster is not usable. */
export type RestoredClusterFailure = 'start-failed' | 'recovery-failed' | 'recovery-timeout' | 'target-not-reached';

/**
 * A restored cluster did not start or its recovery did not finish; the message carries the relevant
 * PostgreSQL log lines.
 *
 * @example
 * try {
 *   await startRestoredCluster(stack, { dataPath });
 * } catch (error) {
 *   if (isRestoredClusterError(error)) console.error(error.failure, error.logLines);
 * }
 */
export class RestoredClusterError extends Error {
  override readonly name: string = 'RestoredClusterError';
  readonly [BRAND] = true;
  readonly failure: RestoredClusterFailure;
  readonly dataPath: string;
  /** The PostgreSQL log lines that explain the failure. */
  readonly logLines: readonly string[];
  constructor(failure: RestoredClusterFailure, dataPath: string, summary: string, logLines: readonly string[]) {
    const excerpt = logLines.length > 0 ? `\nPostgreSQL log:\n${logLines.map((l) => `  ${l}`).join('\n')}` : '';
    super(`restored cluster ${dataPath}: ${summary}${excerpt}`);
    this.failure = failure;
    this.dataPath = dataPath;
    this.logLines = logLines;
  }
}

/**
 * PostgreSQL stopped because "recovery ended before configured recovery target was reached": the WAL
 * needed to reach the target is missing from the repository (a gap in the archive, or a target after
 * the last archived segment).
 *
 * @example
 * await expect(startRestoredCluster(stack, { dataPath })).rejects.toBeInstanceOf(RecoveryTargetNotReachedError);
 */
export class RecoveryTargetNotReachedError extends RestoredClusterError {
  override readonly name = 'RecoveryTargetNotReachedError';
  readonly [TARGET_NOT_REACHED] = true;
  constructor(dataPath: string, logLines: readonly string[]) {
    super(
      'target-not-reached',
      dataPath,
      'recovery ended before the recovery target was reached; the WAL up to the target is not in the repository ' +
        '(find the gap with s3-verify or `pgbackrest archive-get`, or choose an earlier target)',
      logLines,
    );
  }
}

/**
 * True for a {@link RestoredClusterError} from any copy of this package (works across realms and bundles).
 *
 * @example
 * if (isRestoredClusterError(error)) console.error(error.logLines.join('\n'));
 */
export function isRestoredClusterError(value: unknown): value is RestoredClusterError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}

/**
 * True for a {@link RecoveryTargetNotReachedError} from any copy of this package.
 *
 * @example
 * if (isRecoveryTargetNotReachedError(error)) console.error('WAL gap before the target');
 */
export function isRecoveryTargetNotReachedError(value: unknown): value is RecoveryTargetNotReachedError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[TARGET_NOT_REACHED] === true;
}

/**
 * The lines of a PostgreSQL log that explain a failed start or recovery: FATAL / PANIC / ERROR lines,
 * pgBackRest's "unable to find" lines and the last WAL file restored from the archive (at most `limit`).
 *
 * @example
 * recoveryLogExcerpt('LOG:  restored log file "000000010000000000000005" from archive\nFATAL:  recovery ended before …');
 */
export function recoveryLogExcerpt(log: string, limit = 12): string[] {
  const lines = log.split('\n').map((l) => l.trimEnd());
  const lastRestored = lines.findLastIndex((l) => /restored log file ".*" from archive/.test(l));
  const picked = lines.filter(
    (l, i) => i === lastRestored || /\b(FATAL|PANIC|ERROR):|unable to find .* in the archive/.test(l),
  );
  const excerpt = picked.length > 0 ? picked : lines.filter((l) => l !== '').slice(-8);
  return excerpt.slice(-limit);
}

/** The error for a cluster that stopped during recovery, from its log. */
function recoveryFailure(dataPath: string, log: string): RestoredClusterError {
  const lines = recoveryLogExcerpt(log);
  if (NOT_REACHED_LINE.test(log)) return new RecoveryTargetNotReachedError(dataPath, lines);
  const summary = /shutdown at recovery target/.test(log)
    ? 'PostgreSQL shut down at the recovery target (target-action=shutdown); restore with target-action=promote to query it'
    : 'PostgreSQL stopped during recovery';
  return new RestoredClusterError('recovery-failed', dataPath, summary, lines);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Starts PostgreSQL on a data directory restored by pgBackRest, inside the stack (as postgres, on
 * 127.0.0.1 and a Unix socket in the data directory, its own log file), and waits until recovery has
 * finished: `pg_is_in_recovery()` false after promotion. Throws {@link RecoveryTargetNotReachedError}
 * when PostgreSQL stops because the WAL to reach the target is missing, {@link RestoredClusterError}
 * for any other failed start, stop during recovery, or recovery still running at the timeout (e.g.
 * `target-action=pause`); the server is stopped before either is thrown.
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
  const timeout = options.timeout ?? 180_000;
  const deadline = Date.now() + timeout;
  const port = options.port ?? (await freeLoopbackPort());
  const logPath = options.logPath ?? `${dataPath}/restored-cluster.log`;
  const bin = (name: string) => `/usr/lib/postgresql/${stack.pgMajor}/bin/${name}`;
  const psqlArgs = (sql: string) =>
    ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-h', dataPath, '-p', String(port)].concat([
      '-U',
      'postgres',
      '-d',
      'postgres',
      '-c',
      sql,
    ]);
  const runPsql = (sql: string, ms: number): Promise<ProcessResult> =>
    stack.exec(bin('psql'), psqlArgs(sql), { timeout: ms });
  const log = async () => (await stack.exec('sh', ['-c', 'cat "$1" 2>/dev/null', 'sh', logPath])).stdout;
  const running = async () => (await stack.exec(bin('pg_ctl'), ['-D', dataPath, 'status'])).exitCode === 0;
  const halt = async (mode: 'fast' | 'immediate') => {
    await stack.exec(bin('pg_ctl'), ['-D', dataPath, '-m', mode, '-w', 'stop'], { timeout: 60_000 });
  };
  const fail = async (error: RestoredClusterError): Promise<never> => {
    await halt('immediate').catch(() => undefined);
    throw error;
  };

  const seconds = Math.max(1, Math.ceil(timeout / 1000));
  const start = await stack.exec(
    bin('pg_ctl'),
    [
      '-D',
      dataPath,
      '-l',
      logPath,
      '-o',
      `-p ${port} -c unix_socket_directories=${dataPath} -c listen_addresses=127.0.0.1`,
      '-w',
      '-t',
      String(seconds),
      'start',
    ],
    { timeout: timeout + 30_000 },
  );
  // pg_ctl returns once hot standby accepts connections; recovery may still fail later, at a gap.
  if (start.exitCode !== 0) {
    const text = await log();
    if (!(await running()) && /\b(FATAL|PANIC):/.test(text)) return await fail(recoveryFailure(dataPath, text));
    const lines = [...start.stderr.trim().split('\n').filter(Boolean), ...recoveryLogExcerpt(text)];
    return await fail(new RestoredClusterError('start-failed', dataPath, 'pg_ctl start failed', lines));
  }
  for (;;) {
    const probe = await runPsql('SELECT pg_is_in_recovery()', 10_000);
    if (probe.exitCode === 0 && probe.stdout.trim() === 'f') break;
    if (!(await running())) return await fail(recoveryFailure(dataPath, await log()));
    if (Date.now() > deadline) {
      const lines = recoveryLogExcerpt(await log());
      const summary = `still in recovery after ${seconds} s (a paused recovery target, or WAL replay too slow)`;
      return await fail(new RestoredClusterError('recovery-timeout', dataPath, summary, lines));
    }
    await sleep(250);
  }

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await halt('fast');
  };
  return {
    dataPath,
    port,
    logPath,
    psql: async (sql: string) => {
      const result = await runPsql(sql, 300_000);
      return ensureSuccess(`psql on ${dataPath} ${JSON.stringify(sql.slice(0, 60))}`, result).stdout.replace(
        /\n+$/,
        '',
      );
    },
    log,
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
