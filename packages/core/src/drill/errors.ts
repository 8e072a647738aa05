import type { RecoveryProgress } from './recovery-log.js';

const BRAND = Symbol.for('@chronos/pgbackrest/restored-cluster-error');
const TARGET_NOT_REACHED = Symbol.for('@chronos/pgbackrest/recovery-target-not-reached');
const DRILL_BRAND = Symbol.for('@chronos/pgbackrest/drill-error');

/** Why a restored cluster is not usable. */
export type RestoredClusterFailure = 'start-failed' | 'recovery-failed' | 'recovery-timeout' | 'target-not-reached';

/**
 * A restored cluster did not start or its recovery did not finish; the message carries the relevant
 * PostgreSQL log lines.
 *
 * @example
 * try {
 *   await runRestoreDrill({ client, scratch });
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
  /** The last LSN PostgreSQL replayed, when its log says. */
  readonly lastReplayedLsn: string | undefined;
  /** Commit time of the last transaction PostgreSQL replayed, when its log says. */
  readonly lastReplayedTime: Date | undefined;
  constructor(
    failure: RestoredClusterFailure,
    dataPath: string,
    summary: string,
    logLines: readonly string[],
    progress: RecoveryProgress = {},
  ) {
    const replayed =
      progress.lastReplayedLsn === undefined && progress.lastReplayedTime === undefined
        ? ''
        : ` (last replayed: LSN ${progress.lastReplayedLsn ?? 'unknown'}, commit time ${progress.lastReplayedTime?.toISOString() ?? 'unknown'})`;
    const excerpt = logLines.length > 0 ? `\nPostgreSQL log:\n${logLines.map((l) => `  ${l}`).join('\n')}` : '';
    super(`restored cluster ${dataPath}: ${summary}${replayed}${excerpt}`);
    this.failure = failure;
    this.dataPath = dataPath;
    this.logLines = logLines;
    this.lastReplayedLsn = progress.lastReplayedLsn;
    this.lastReplayedTime = progress.lastReplayedTime;
  }
}

/**
 * PostgreSQL stopped because "recovery ended before configured recovery target was reached": the WAL
 * needed to reach the target is missing from the repository (a gap in the archive, or a target after
 * the last archived segment). Carries the last replayed LSN and commit time from PostgreSQL's log.
 *
 * @example
 * await expect(runRestoreDrill({ client, scratch, target })).rejects.toBeInstanceOf(RecoveryTargetNotReachedError);
 */
export class RecoveryTargetNotReachedError extends RestoredClusterError {
  override readonly name = 'RecoveryTargetNotReachedError';
  readonly [TARGET_NOT_REACHED] = true;
  constructor(dataPath: string, logLines: readonly string[], progress: RecoveryProgress = {}) {
    super(
      'target-not-reached',
      dataPath,
      'recovery ended before the recovery target was reached; the WAL up to the target is not in the repository ' +
        '(find the gap with s3-verify or `pgbackrest archive-get`, or choose an earlier target)',
      logLines,
      progress,
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

/** Why a drill could not run: refused before anything ran, timed out, aborted, or a step failed. */
export type DrillFailure = 'refused' | 'timeout' | 'aborted' | 'failed';

/** The step a drill was in. */
export type DrillStage = 'isolation' | 'restore' | 'start' | 'recovery' | 'checks' | 'cleanup';

/**
 * A restore drill could not prove anything: `failure` says why, `stage` where; `cause` is the underlying error
 * (a pgBackRest error, a {@link RestoredClusterError}, …).
 *
 * @example
 * try {
 *   await runRestoreDrill({ client, scratch: '/var/lib/postgresql/15/main' });
 * } catch (error) {
 *   if (isDrillError(error) && error.failure === 'refused') console.error(error.message);
 * }
 */
export class DrillError extends Error {
  override readonly name: string = 'DrillError';
  readonly [DRILL_BRAND] = true;
  readonly failure: DrillFailure;
  readonly stage: DrillStage;
  constructor(failure: DrillFailure, stage: DrillStage, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.failure = failure;
    this.stage = stage;
  }
}

/**
 * The drill's isolation rules refused the scratch directory before anything ran.
 *
 * @example
 * await expect(runRestoreDrill({ client, scratch: dataDirectory })).rejects.toBeInstanceOf(DrillRefusedError);
 */
export class DrillRefusedError extends DrillError {
  override readonly name = 'DrillRefusedError';
  constructor(message: string) {
    super('refused', 'isolation', message);
  }
}

/**
 * The drill did not finish within its timeout; everything it started was stopped and removed.
 *
 * @example
 * await runRestoreDrill({ client, scratch, timeout: 600_000 }).catch((e) => e instanceof DrillTimeoutError);
 */
export class DrillTimeoutError extends DrillError {
  override readonly name = 'DrillTimeoutError';
  readonly timeout: number;
  constructor(stage: DrillStage, timeout: number, options?: { cause?: unknown }) {
    super(
      'timeout',
      stage,
      `the drill did not finish within ${Math.round(timeout / 1000)} s (during ${stage})`,
      options,
    );
    this.timeout = timeout;
  }
}

/**
 * True for a {@link DrillError} from any copy of this package.
 *
 * @example
 * if (isDrillError(error)) console.error(error.stage, error.message);
 */
export function isDrillError(value: unknown): value is DrillError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[DRILL_BRAND] === true;
}
