import { analyzeInfo } from '../analysis/analyze-info.js';
import type { PgBackRestClient } from '../client/pgbackrest-client.js';
import { planRestore, type RestorePlan } from '../pitr/plan-restore.js';
import type { RestoreTarget } from '../pitr/target.js';
import { parseTargetTime } from '../pitr/target-time.js';
import { type CatalogueConnection, compareCatalogues } from './catalogue.js';
import { type DrillCheckResult, judgeSqlOutput, type SqlCheck } from './checks.js';
import { DrillError, DrillRefusedError, type DrillStage, DrillTimeoutError } from './errors.js';
import { type ProgramRunner, type RecoveredCluster, startRecoveredCluster } from './recovered-cluster.js';
import { parseRecoveryProgress, postgresTimestamp } from './recovery-log.js';
import { DRILL_REPORT_SCHEMA_VERSION, type DrillReport } from './report.js';
import {
  assertScratchIsolated,
  parseScratchProbe,
  SCRATCH_PREPARE_SCRIPT,
  SCRATCH_PROBE_SCRIPT,
  SCRATCH_REMOVE_SCRIPT,
  scratchLayout,
} from './scratch.js';
import { transportRunner } from './transport-runner.js';

/** Options for {@link runRestoreDrill}. */
export interface RestoreDrillOptions {
  /** The pgBackRest client of the stanza (any transport); the drill's PostgreSQL runs through the same transport. */
  readonly client: PgBackRestClient;
  /**
   * The drill's own directory where the cluster lives: absent, empty, or a previous drill's. The restore goes into
   * `<scratch>/pgdata`, the Unix socket into `<scratch>/run`. Never the cluster's data directory.
   */
  readonly scratch: string;
  /** Default: the end of the archived WAL (`{ type: 'default' }`); also `immediate`, `time`, `name`, `set`, `repo`. */
  readonly target?: RestoreTarget;
  /** Read-only SQL checks with their expectations. */
  readonly checks?: readonly SqlCheck[];
  /** Run `pg_amcheck --all` (heap and btree) where the PostgreSQL version ships it (14+). Default true. */
  readonly amcheck?: boolean;
  /** Compare databases, schemas, tables and extensions with production over this connection. */
  readonly production?: CatalogueConnection;
  /** The production cluster's data directory (refused as scratch); default: `pg1-path` of the client's options. */
  readonly clusterDataPath?: string;
  /** PostgreSQL binaries where the drill runs; default `/usr/lib/postgresql/<major>/bin` (Debian and the postgres image). */
  readonly pgBin?: string;
  /** Database superuser for the checks. Default `postgres`. */
  readonly dbUser?: string;
  /** Milliseconds for the whole drill. Default 3 600 000. */
  readonly timeout?: number;
  readonly signal?: AbortSignal;
  /** Stop on SIGINT / SIGTERM of this process: clean up, then throw (the CLI sets this). Default false. */
  readonly handleSignals?: boolean;
  /** Keep the running cluster and its directory after a finished drill; the report says how to connect and remove. */
  readonly keep?: boolean;
  /** Receives one line per step. */
  readonly onProgress?: (message: string) => void;
}

const TIMEOUT = Symbol('drill timeout');

const seconds = (ms: number) => Math.round(ms / 10) / 100;

function targetSummary(target: RestoreTarget): { type: string; value?: string } {
  switch (target.type) {
    case 'time':
      return { type: 'time', value: parseTargetTime(target.time).toISOString() };
    case 'name':
      return { type: 'name', value: target.name };
    case 'xid':
      return { type: 'xid', value: String(target.xid) };
    case 'lsn':
      return { type: 'lsn', value: target.lsn };
    default:
      return { type: target.type };
  }
}

/**
 * Proves a backup by using it: restores it into a scratch directory (isolation checked first: never the cluster's data
 * directory, never over a live postmaster, never over foreign files; `archive-mode=off`, no standby), starts
 * PostgreSQL there on a private Unix socket only, waits until recovery reaches the target and promotes, runs the
 * checks (read-only SQL, `pg_amcheck`, optionally a catalogue comparison with production), measures RTO and RPO,
 * then stops the cluster and removes the scratch directory on every path (success, failure, timeout, abort).
 *
 * Resolves with a report whose `outcome` is `proven` or `check-failed`. Throws when nothing could be proven:
 * {@link DrillRefusedError} (isolation), {@link RecoveryTargetNotReachedError} (WAL gap before the target),
 * {@link RestoredClusterError} (did not start or recover), {@link DrillTimeoutError}, {@link DrillError} (aborted, or a
 * pgBackRest error as `cause`).
 *
 * @example
 * const client = createPgBackRest({ stanza: 'main', transport: { kind: 'local', runAs: { user: 'postgres' } } });
 * const report = await runRestoreDrill({
 *   client,
 *   scratch: '/var/lib/chronos-drill',
 *   target: { type: 'time', time: '2026-12-01T00:00:00Z' },
 *   checks: [{ name: 'orders', sql: 'SELECT count(*) FROM orders', expect: { kind: 'count-at-least', min: 1 } }],
 * });
 * console.log(formatDrillReport(report));
 */
export async function runRestoreDrill(options: RestoreDrillOptions): Promise<DrillReport> {
  return runDrillIn(options, false);
}

/** The drill itself; `throwaway` marks a client that runs in the drill's own container (see `runContainerDrill`). */
export async function runDrillIn(options: RestoreDrillOptions, throwaway: boolean): Promise<DrillReport> {
  const { client } = options;
  const progress = options.onProgress ?? (() => undefined);
  const layout = scratchLayout(options.scratch);
  const transport = client.transport;
  if (transport.kind === 'docker' && !throwaway) {
    throw new DrillRefusedError(
      `a drill never runs inside the production container (${transport.container}): use runContainerDrill (chronos drill --image), which runs it in a throwaway container from the same image`,
    );
  }
  if (transport.kind === 'local' && transport.runAs === undefined && process.getuid?.() === 0) {
    throw new DrillRefusedError(
      "PostgreSQL does not run as root: give the client a transport that runs as the cluster's owner (runAs: { user: 'postgres' })",
    );
  }
  const run: ProgramRunner = transportRunner(transport);
  const timeout = options.timeout ?? 3_600_000;
  const controller = new AbortController();
  const deadline = Date.now() + timeout;
  const timer = setTimeout(() => controller.abort(TIMEOUT), timeout);
  const onAbort = () => controller.abort(options.signal?.reason);
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const onSignal = (name: string) => controller.abort(new DrillError('aborted', stage, `interrupted by ${name}`));
  if (options.handleSignals) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  const signal = controller.signal;
  const startedAt = new Date();
  let stage: DrillStage = 'isolation';
  let prepared = false;
  let removeWhole = true;
  let cluster: RecoveredCluster | undefined;
  let keep = false;

  const checkAborted = () => {
    if (signal.aborted) throw signal.reason;
  };
  const translate = (error: unknown): unknown => {
    // The start gets the drill's time left, so at the deadline it can fail on its own clock (recovery still
    // running) a moment before the drill's timer fires: that is the drill's timeout, with the step's error as cause.
    if (!signal.aborted && Date.now() >= deadline) controller.abort(TIMEOUT);
    if (!signal.aborted) return error;
    if (signal.reason === TIMEOUT) return new DrillTimeoutError(stage, timeout, { cause: error });
    if (signal.reason instanceof DrillError) return signal.reason;
    return new DrillError('aborted', stage, `the drill was aborted during ${stage}`, { cause: signal.reason ?? error });
  };

  try {
    const restoreBase = await client.build('restore', {}, []);
    const pg1Arg = restoreBase.args.find((arg) => arg.startsWith('--pg1-path='));
    const clusterDataPath = options.clusterDataPath ?? pg1Arg?.slice('--pg1-path='.length);
    const configArg = restoreBase.args.find((arg) => arg.startsWith('--config='));
    const config = configArg?.slice('--config='.length) ?? restoreBase.env['PGBACKREST_CONFIG'] ?? '';
    const probeArgs = [layout.root, clusterDataPath ?? '', config, client.stanza];
    const probe = await run('sh', ['-c', SCRATCH_PROBE_SCRIPT, 'sh', ...probeArgs], {
      timeout: 30_000,
      signal,
    });
    checkAborted();
    if (probe.exitCode !== 0) {
      throw new DrillRefusedError(`could not inspect the scratch directory ${layout.root}: ${probe.stderr.trim()}`);
    }
    const state = parseScratchProbe(probe.stdout);
    assertScratchIsolated(state);

    const info = await client.info({}, { signal });
    const analysis = analyzeInfo(info, { now: new Date() });
    const stanza = analysis.stanzas.find((s) => s.name === client.stanza);
    if (stanza === undefined)
      throw new DrillError('failed', 'restore', `pgBackRest reports no stanza ${client.stanza}`);
    const target = options.target ?? { type: 'default' };
    const drillTarget =
      target.type === 'default' || target.type === 'standby' ? target : { ...target, targetAction: 'promote' as const };
    const from = target.repo === undefined ? undefined : stanza.repositories.find((r) => r.key === target.repo);
    if (target.repo !== undefined && (from === undefined || from.backups.length === 0)) {
      throw new DrillError(
        'failed',
        'restore',
        `repo${target.repo} of stanza ${client.stanza} holds no backup to restore`,
      );
    }
    let plan: RestorePlan;
    try {
      plan = planRestore(drillTarget as RestoreTarget, stanza);
    } catch (error) {
      throw new DrillError('failed', 'restore', (error as Error).message, { cause: error });
    }
    if (target.type === 'standby')
      throw new DrillRefusedError('a drill never restores a standby: choose another target');

    removeWhole = state.state !== 'empty';
    prepared = true;
    const prepare = await run('sh', ['-c', SCRATCH_PREPARE_SCRIPT, 'sh', layout.root], { timeout: 60_000, signal });
    checkAborted();
    if (prepare.exitCode !== 0) {
      throw new DrillError('failed', 'restore', `could not prepare ${layout.root}: ${prepare.stderr.trim()}`);
    }

    stage = 'restore';
    progress(`restoring backup ${plan.backup.label} from repo${plan.repoKey} into ${layout.dataPath}`);
    const restoreOptions = {
      ...plan.options,
      'pg1-path': layout.dataPath,
      'archive-mode': 'off',
      'tablespace-map-all': layout.tablespacePath,
    } as Parameters<PgBackRestClient['restore']>[0];
    progress(`  ${await client.render('restore', restoreOptions)}`);
    const restoreStarted = Date.now();
    try {
      await client.restore(restoreOptions, { signal, timeout });
    } catch (error) {
      if (signal.aborted) throw error;
      const why = (error as Error).message;
      throw new DrillError(
        'failed',
        'restore',
        `pgBackRest could not restore backup set ${plan.backup.label} from repo${plan.repoKey}: ${why}`,
        { cause: error },
      );
    }
    const restoreMs = Date.now() - restoreStarted;
    checkAborted();
    const version = await run('sh', ['-c', SETUP_SCRIPT, 'sh', layout.root], { timeout: 30_000, signal });
    checkAborted();
    const pgVersion = version.stdout.trim();
    if (version.exitCode !== 0 || !/^\d+(\.\d+)?$/.test(pgVersion)) {
      throw new DrillError(
        'failed',
        'start',
        `the restored data directory has no PG_VERSION: ${version.stderr.trim()}`,
      );
    }

    stage = 'start';
    const pgBin = options.pgBin ?? `/usr/lib/postgresql/${pgVersion}/bin`;
    progress(`starting PostgreSQL ${pgVersion} on ${layout.socketDir} (no TCP) and waiting for recovery`);
    // The server's restore_command runs pgBackRest's archive-get: with archive-async it keeps a queue in the spool path
    // and takes the stanza's archive lock, which production's asynchronous archive-push also takes. Private paths.
    const serverEnv: Record<string, string> = {
      ...restoreBase.env,
      PGBACKREST_SPOOL_PATH: layout.pgbackrest.spoolPath,
      PGBACKREST_LOCK_PATH: layout.pgbackrest.lockPath,
      PGBACKREST_LOG_PATH: layout.pgbackrest.logPath,
    };
    if (configArg !== undefined) serverEnv['PGBACKREST_CONFIG'] = configArg.slice('--config='.length);
    cluster = await startRecoveredCluster({
      run,
      dataPath: layout.dataPath,
      pgBin,
      socketDir: layout.socketDir,
      port: 5432,
      listen: 'socket',
      logPath: layout.logPath,
      settings: {
        shared_buffers: '16MB',
        huge_pages: 'off',
        archive_mode: 'off',
        hba_file: `${layout.root}/pg_hba.conf`,
        ident_file: `${layout.root}/pg_ident.conf`,
        logging_collector: 'off',
        log_destination: 'stderr',
        ssl: 'off',
        cluster_name: 'chronos-drill',
      },
      env: serverEnv,
      ...(options.dbUser === undefined ? {} : { user: options.dbUser }),
      timeout: Math.max(1_000, timeout - (Date.now() - startedAt.getTime())),
      signal,
    });
    stage = 'checks';
    checkAborted();

    const replay = await cluster.query(
      "SELECT to_char(pg_last_xact_replay_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')",
      { timeout: 30_000, signal },
    );
    const logProgress = parseRecoveryProgress(await cluster.log());
    const lastCommit =
      (replay.exitCode === 0 && replay.stdout.trim() !== ''
        ? postgresTimestamp(replay.stdout.trim(), '+00')
        : undefined) ?? logProgress.lastReplayedTime;

    const checksStarted = Date.now();
    const results: DrillCheckResult[] = [];
    for (const check of options.checks ?? []) {
      checkAborted();
      results.push(await runSqlCheck(cluster, check, signal));
    }
    if (options.production !== undefined) {
      checkAborted();
      results.push(await compareCatalogues(run, cluster, options.production, signal));
    }
    if (options.amcheck ?? true) {
      checkAborted();
      results.push(await runAmcheck(run, cluster, pgBin, options.dbUser ?? 'postgres', signal));
    }
    checkAborted();
    const finishedAt = new Date();
    const checksFailed = results.filter((r) => r.status === 'failed').length;
    const targetInfo = targetSummary(target);
    const targetTime = target.type === 'time' ? parseTargetTime(target.time) : undefined;
    keep = options.keep === true;
    const report: DrillReport = {
      schemaVersion: DRILL_REPORT_SCHEMA_VERSION,
      kind: 'chronos-restore-drill',
      outcome: checksFailed === 0 ? 'proven' : 'check-failed',
      stanza: client.stanza,
      repo: plan.repoKey,
      set: plan.backup.label,
      target: targetInfo,
      pgVersion,
      scratch: layout.root,
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      timings: {
        restoreSeconds: seconds(restoreMs),
        startSeconds: seconds(cluster.startMs),
        recoverySeconds: seconds(cluster.recoveryMs),
        checksSeconds: seconds(finishedAt.getTime() - checksStarted),
        rtoSeconds: seconds(restoreMs + cluster.startMs + cluster.recoveryMs),
        totalSeconds: seconds(finishedAt.getTime() - startedAt.getTime()),
      },
      rpo: {
        lastReplayedCommit: lastCommit?.toISOString() ?? null,
        lastReplayedLsn: logProgress.lastReplayedLsn ?? null,
        behindNowSeconds: lastCommit === undefined ? null : seconds(finishedAt.getTime() - lastCommit.getTime()),
        behindTargetSeconds:
          lastCommit === undefined || targetTime === undefined
            ? null
            : seconds(targetTime.getTime() - lastCommit.getTime()),
      },
      checks: results,
      checksFailed,
      ...(keep
        ? {
            kept: {
              connect: `psql -h ${layout.socketDir} -p 5432 -U ${options.dbUser ?? 'postgres'} -d postgres`,
              remove: `${pgBin}/pg_ctl -D ${layout.dataPath} -m fast stop && rm -rf ${layout.root}`,
            },
          }
        : {}),
    };
    progress(`drill ${report.outcome} in ${report.timings.totalSeconds} s`);
    return report;
  } catch (error) {
    keep = false;
    throw translate(error);
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
    if (!keep) {
      const cleanupStage = stage;
      stage = 'cleanup';
      if (cluster !== undefined) await cluster.stop().catch(() => undefined);
      if (prepared) {
        const whole = removeWhole ? '1' : '0';
        const removed = await run('sh', ['-c', SCRATCH_REMOVE_SCRIPT, 'sh', layout.root, whole], { timeout: 120_000 });
        if (removed.exitCode !== 0)
          progress(`could not remove ${layout.root} after ${cleanupStage}: ${removed.stderr.trim()}`);
      }
    }
    if (options.handleSignals) {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  }
}

/** Prints the restored PG_VERSION of `$1/pgdata` and writes the drill's own authentication files (socket only, trust). */
const SETUP_SCRIPT = [
  'set -e',
  'd=$1',
  'printf "local all all trust\\n" > "$d/pg_hba.conf"',
  ': > "$d/pg_ident.conf"',
  '[ -f "$d/pgdata/postgresql.conf" ] || : > "$d/pgdata/postgresql.conf"',
  'cat "$d/pgdata/PG_VERSION"',
].join('\n');

async function runSqlCheck(cluster: RecoveredCluster, check: SqlCheck, signal: AbortSignal): Promise<DrillCheckResult> {
  const name = check.name ?? check.sql;
  const started = Date.now();
  const result = await cluster.query(check.sql, {
    readOnly: true,
    signal,
    ...(check.database === undefined ? {} : { database: check.database }),
  });
  const durationSeconds = seconds(Date.now() - started);
  if (result.exitCode !== 0) {
    const why = result.stderr.trim().split('\n')[0] ?? `exit ${result.exitCode}`;
    return { name, kind: 'sql', status: 'failed', durationSeconds, detail: `query failed: ${why}` };
  }
  const observed = result.stdout.replace(/\n+$/, '').slice(0, 200);
  const failure = judgeSqlOutput(check.expect, result.stdout);
  return {
    name,
    kind: 'sql',
    status: failure === undefined ? 'passed' : 'failed',
    durationSeconds,
    detail: failure ?? `returned ${observed.split('\n')[0] ?? ''}`,
    observed,
  };
}

async function runAmcheck(
  run: ProgramRunner,
  cluster: RecoveredCluster,
  pgBin: string,
  user: string,
  signal: AbortSignal,
): Promise<DrillCheckResult> {
  const started = Date.now();
  const shipped = await run('test', ['-x', `${pgBin}/pg_amcheck`], { timeout: 10_000, signal });
  if (shipped.exitCode !== 0) {
    return {
      name: 'pg_amcheck',
      kind: 'amcheck',
      status: 'skipped',
      durationSeconds: 0,
      detail: `not shipped with this PostgreSQL (${pgBin}/pg_amcheck; PostgreSQL 14+)`,
    };
  }
  const result = await run(
    `${pgBin}/pg_amcheck`,
    [
      '-h',
      cluster.socketDir,
      '-p',
      String(cluster.port),
      '-U',
      user,
      '--all',
      '--install-missing',
      '--no-strict-names',
    ],
    { timeout: 3_600_000, signal },
  );
  const durationSeconds = seconds(Date.now() - started);
  if (result.exitCode === 0) {
    return {
      name: 'pg_amcheck',
      kind: 'amcheck',
      status: 'passed',
      durationSeconds,
      detail: 'heap and btree indexes of every database',
    };
  }
  const lines = `${result.stdout}\n${result.stderr}`.split('\n').filter((l) => l.trim() !== '');
  return {
    name: 'pg_amcheck',
    kind: 'amcheck',
    status: 'failed',
    durationSeconds,
    detail: `exit ${result.exitCode}: ${lines.slice(0, 5).join(' | ')}`,
  };
}
