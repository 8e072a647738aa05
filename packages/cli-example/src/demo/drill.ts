import {
  isRecoveryTargetNotReachedError,
  isRestoredClusterError,
  type PgBackRestStack,
  type RestoredCluster,
  startRestoredCluster,
} from '@chronos/pgbackrest/testing';
import { CouldNotRunError } from '../errors.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Writes rows marked `before`, takes the target instant, writes rows marked `after`. The pauses keep both commits
 * more than a second away from the target, so a target rendered with whole seconds still separates them.
 *
 * @example
 * ```ts
 * const { target } = await writeDrillMarkers(stack, 1000);
 * ```
 */
export async function writeDrillMarkers(
  stack: PgBackRestStack,
  rows: number,
): Promise<{ target: string; rows: number }> {
  await stack.psql(
    `CREATE TABLE IF NOT EXISTS chronos_drill (id bigserial PRIMARY KEY, phase text NOT NULL, at timestamptz DEFAULT clock_timestamp());
     INSERT INTO chronos_drill (phase) SELECT 'before' FROM generate_series(1, ${rows});`,
  );
  await sleep(1_200);
  const target = (
    await stack.psql(`SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`)
  ).trim();
  await sleep(1_200);
  await stack.psql(`INSERT INTO chronos_drill (phase) SELECT 'after' FROM generate_series(1, ${rows});`);
  return { target, rows };
}

/**
 * Starts PostgreSQL on the restored drill directory inside the stack (`startRestoredCluster`: its own port, loopback
 * only) and waits until recovery has promoted it; a cluster that cannot start or reach the target becomes a
 * {@link CouldNotRunError} naming the PostgreSQL log lines.
 *
 * @example
 * ```ts
 * const drill = await startDrillCluster(stack, '/tmp/chronos-drill-x1');
 * const rows = await drill.psql('SELECT count(*) FROM chronos_drill');
 * ```
 */
export async function startDrillCluster(stack: PgBackRestStack, dataPath: string): Promise<RestoredCluster> {
  try {
    return await startRestoredCluster(stack, { dataPath, timeout: 120_000 });
  } catch (error) {
    if (!isRestoredClusterError(error)) throw error;
    const what = isRecoveryTargetNotReachedError(error)
      ? 'the restored cluster could not reach the drill target (WAL missing from the repository)'
      : 'the restored cluster did not start';
    throw new CouldNotRunError(`${what}: ${error.logLines.join(' | ')}`, { cause: error });
  }
}
