import type { ProcessResult } from '../exec/process.js';
import { RecoveryTargetNotReachedError, RestoredClusterError } from './errors.js';
import { parseRecoveryProgress, recoveryLogExcerpt } from './recovery-log.js';

/** Options of one program run by a {@link ProgramRunner}. */
export interface ProgramRunOptions {
  /** Extra environment (passed through the environment, never argv). */
  readonly env?: Readonly<Record<string, string>>;
  readonly input?: string;
  readonly timeout?: number;
  readonly signal?: AbortSignal;
}

/**
 * Runs one program where the cluster lives (this host as some user, a container, an ssh host) and resolves with its
 * result; never throws for a non-zero exit.
 */
export type ProgramRunner = (
  file: string,
  args: readonly string[],
  options?: ProgramRunOptions,
) => Promise<ProcessResult>;

/** Options for {@link startRecoveredCluster}. */
export interface RecoveredClusterOptions {
  readonly run: ProgramRunner;
  /** The restored data directory (owned by the user `run` runs as, no server running on it). */
  readonly dataPath: string;
  /** Directory holding `pg_ctl`, `postgres`, `psql`. */
  readonly pgBin: string;
  /** `unix_socket_directories` of the cluster. */
  readonly socketDir: string;
  readonly port: number;
  /** `socket`: no TCP at all (`listen_addresses=''`); `loopback`: also 127.0.0.1. */
  readonly listen: 'socket' | 'loopback';
  readonly logPath: string;
  /** Extra server settings (`-c name=value`); values are plain text without quotes. */
  readonly settings?: Readonly<Record<string, string>>;
  /** Environment of the server (reaches its `restore_command`, e.g. pgBackRest secrets). */
  readonly env?: Readonly<Record<string, string>>;
  /** Database user for queries. Default `postgres`. */
  readonly user?: string;
  /** Milliseconds for start-up and recovery together. */
  readonly timeout: number;
  readonly signal?: AbortSignal;
}

/** Options of one query on a recovered cluster. */
export interface QueryOptions {
  /** Default `postgres`. */
  readonly database?: string;
  /** Runs the query in a read-only transaction (`default_transaction_read_only=on`). */
  readonly readOnly?: boolean;
  readonly timeout?: number;
  readonly signal?: AbortSignal;
}

/** A PostgreSQL cluster running on a restored data directory, recovery finished and promoted. */
export interface RecoveredCluster extends AsyncDisposable {
  readonly dataPath: string;
  readonly port: number;
  readonly socketDir: string;
  readonly logPath: string;
  /** Milliseconds until `pg_ctl start` returned. */
  readonly startMs: number;
  /** Milliseconds from `pg_ctl start` returning until recovery ended (promoted). */
  readonly recoveryMs: number;
  /** Runs SQL with psql (unaligned, tuples only); stdout without the final newline; throws on error. */
  psql(sql: string, options?: QueryOptions): Promise<string>;
  /** Runs SQL with psql and returns the raw result (never throws for a failed query). */
  query(sql: string, options?: QueryOptions): Promise<ProcessResult>;
  /** The PostgreSQL log of this cluster so far. */
  log(): Promise<string>;
  /** Stops PostgreSQL (fast, then immediate); leaves the data directory. Idempotent. */
  stop(): Promise<void>;
}

const SETTING_VALUE = /^[^'"\\$`\n]*$/;

/**
 * The `pg_ctl -o` text for the server settings (pg_ctl hands it to a shell, so every value is single-quoted).
 *
 * @example
 * serverOptions({ port: '5432', listen_addresses: '' }); // "-c port='5432' -c listen_addresses=''"
 */
export function serverOptions(settings: Readonly<Record<string, string>>): string {
  return Object.entries(settings)
    .map(([name, value]) => {
      if (!/^[a-z_.]+$/.test(name) || !SETTING_VALUE.test(value)) {
        throw new RestoredClusterError('start-failed', '', `setting ${name}=${value} is not plain text`, []);
      }
      return `-c ${name}='${value}'`;
    })
    .join(' ');
}

/** The error for a cluster that stopped during recovery, from its log. */
export function recoveryFailure(dataPath: string, log: string): RestoredClusterError {
  const lines = recoveryLogExcerpt(log);
  const progress = parseRecoveryProgress(log);
  if (/recovery ended before configured recovery target was reached/.test(log)) {
    return new RecoveryTargetNotReachedError(dataPath, lines, progress);
  }
  const summary = /shutdown at recovery target/.test(log)
    ? 'PostgreSQL shut down at the recovery target (target-action=shutdown); restore with target-action=promote to query it'
    : 'PostgreSQL stopped during recovery';
  return new RestoredClusterError('recovery-failed', dataPath, summary, lines, progress);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Starts PostgreSQL on a data directory restored by pgBackRest and waits until recovery has ended and the server
 * was promoted (`pg_is_in_recovery()` false). Throws {@link RecoveryTargetNotReachedError} when PostgreSQL stops
 * because the WAL to reach the target is missing, {@link RestoredClusterError} for any other failed start, stop
 * during recovery, or recovery still running at the timeout; on those paths and on abort the server is stopped
 * before the error is thrown.
 *
 * @example
 * await using cluster = await startRecoveredCluster({
 *   run, dataPath: '/srv/drill/pgdata', pgBin: '/usr/lib/postgresql/15/bin', socketDir: '/srv/drill/run',
 *   port: 5432, listen: 'socket', logPath: '/srv/drill/postgresql.log', timeout: 600_000,
 * });
 * await cluster.psql('SELECT count(*) FROM orders', { readOnly: true });
 */
export async function startRecoveredCluster(options: RecoveredClusterOptions): Promise<RecoveredCluster> {
  const { run, dataPath, port, logPath, socketDir, timeout, signal } = options;
  const started = Date.now();
  const deadline = started + timeout;
  const bin = (name: string) => `${options.pgBin}/${name}`;
  const user = options.user ?? 'postgres';
  const query = (sql: string, q: QueryOptions = {}): Promise<ProcessResult> =>
    run(
      bin('psql'),
      ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-h', socketDir, '-p', String(port), '-U', user, '-d'].concat([
        q.database ?? 'postgres',
        '-c',
        sql,
      ]),
      {
        timeout: q.timeout ?? 300_000,
        ...(q.readOnly ? { env: { PGOPTIONS: '-c default_transaction_read_only=on' } } : {}),
        ...(q.signal === undefined ? {} : { signal: q.signal }),
      },
    );
  const log = async () => (await run('sh', ['-c', 'cat "$1" 2>/dev/null', 'sh', logPath], { timeout: 30_000 })).stdout;
  const running = async () =>
    (await run(bin('pg_ctl'), ['-D', dataPath, 'status'], { timeout: 30_000 })).exitCode === 0;
  const halt = async (mode: 'fast' | 'immediate') => {
    await run(bin('pg_ctl'), ['-D', dataPath, '-m', mode, '-w', '-t', '60', 'stop'], { timeout: 70_000 });
  };
  const fail = async (error: unknown): Promise<never> => {
    await halt('immediate').catch(() => undefined);
    throw error;
  };

  const settings = {
    port: String(port),
    unix_socket_directories: socketDir,
    listen_addresses: options.listen === 'socket' ? '' : '127.0.0.1',
    ...options.settings,
  };
  const seconds = Math.max(1, Math.ceil(timeout / 1000));
  const start = await run(
    bin('pg_ctl'),
    ['-D', dataPath, '-l', logPath, '-o', serverOptions(settings), '-w', '-t', String(seconds), 'start'],
    {
      timeout: timeout + 30_000,
      ...(options.env === undefined ? {} : { env: options.env }),
      ...(signal === undefined ? {} : { signal }),
    },
  );
  if (signal?.aborted) return await fail(signal.reason);
  // pg_ctl returns once hot standby accepts connections; recovery may still fail later, at a gap.
  if (start.exitCode !== 0) {
    const text = await log();
    if (!(await running()) && /\b(FATAL|PANIC):/.test(text)) return await fail(recoveryFailure(dataPath, text));
    const lines = [...start.stderr.trim().split('\n').filter(Boolean), ...recoveryLogExcerpt(text)];
    return await fail(new RestoredClusterError('start-failed', dataPath, 'pg_ctl start failed', lines));
  }
  const startMs = Date.now() - started;
  for (;;) {
    if (signal?.aborted) return await fail(signal.reason);
    const probe = await query('SELECT pg_is_in_recovery()', { timeout: 10_000 });
    if (probe.exitCode === 0 && probe.stdout.trim() === 'f') break;
    if (!(await running())) return await fail(recoveryFailure(dataPath, await log()));
    if (Date.now() > deadline) {
      const text = await log();
      const summary = `still in recovery after ${seconds} s (a paused recovery target, or WAL replay too slow)`;
      return await fail(
        new RestoredClusterError(
          'recovery-timeout',
          dataPath,
          summary,
          recoveryLogExcerpt(text),
          parseRecoveryProgress(text),
        ),
      );
    }
    await sleep(250);
  }
  const recoveryMs = Date.now() - started - startMs;

  // Once: later and concurrent callers wait for the first stop.
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      await halt('fast').catch(() => undefined);
      if (await running().catch(() => false)) await halt('immediate');
    })();
    return stopping;
  };
  return {
    dataPath,
    port,
    socketDir,
    logPath,
    startMs,
    recoveryMs,
    query,
    psql: async (sql, q) => {
      const result = await query(sql, q);
      if (result.exitCode !== 0) {
        const why = result.timedOut ? 'timed out' : `exit code ${result.exitCode}`;
        throw new Error(
          `psql on ${dataPath} ${JSON.stringify(sql.slice(0, 60))} failed (${why}): ${result.stderr.trim()}`,
        );
      }
      return result.stdout.replace(/\n+$/, '');
    },
    log,
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
