import { randomBytes } from 'node:crypto';
import { type DrillReport, isDrillError } from '@chronos/pgbackrest';
import {
  drillStack,
  isRecoveryTargetNotReachedError,
  isRestoredClusterError,
  type PgBackRestStack,
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

/** What the demo's drill proved. */
export interface DemoDrill {
  readonly report: DrillReport;
  /** Rows marked `before` in the restored cluster. */
  readonly rowsBefore: number;
  /** Rows marked `after` in the restored cluster (0 when the check that none is there passed). */
  readonly rowsAfter: number | null;
  readonly proven: boolean;
}

/**
 * The demo's point-in-time drill: `drillStack` (the product's restore drill, where the stack runs) to the target
 * between the marked rows, checking that every row before it and none after it is there. A drill that cannot run
 * becomes a {@link CouldNotRunError} naming why (with PostgreSQL's log lines when recovery failed).
 *
 * @example
 * ```ts
 * const drill = await proveDrill(stack, { target, rows: 1000 }, { keep: false });
 * drill.proven; // true
 * ```
 */
export async function proveDrill(
  stack: PgBackRestStack,
  markers: { target: string; rows: number },
  options: { keep: boolean; signal?: AbortSignal; onProgress?: (line: string) => void },
): Promise<DemoDrill> {
  let report: DrillReport;
  try {
    report = await drillStack(stack, {
      scratch: `/tmp/chronos-drill-${randomBytes(4).toString('hex')}`,
      target: { type: 'time', time: markers.target },
      checks: [
        {
          name: 'rows before the target',
          sql: "SELECT count(*) FROM chronos_drill WHERE phase = 'before'",
          expect: { kind: 'count-at-least', min: markers.rows },
        },
        {
          name: 'no row after the target',
          sql: "SELECT count(*) = 0 FROM chronos_drill WHERE phase = 'after'",
          expect: { kind: 'true' },
        },
      ],
      keep: options.keep,
      timeout: 300_000,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
    });
  } catch (error) {
    if (!isDrillError(error) && !isRestoredClusterError(error)) throw error;
    const what = isRecoveryTargetNotReachedError(error)
      ? 'the restored cluster could not reach the drill target (WAL missing from the repository)'
      : 'the drill could not prove the restore';
    const lines = isRestoredClusterError(error) ? error.logLines.join(' | ') : (error as Error).message;
    throw new CouldNotRunError(`${what}: ${lines}`, { cause: error });
  }
  const [before, after] = report.checks;
  return {
    report,
    rowsBefore: Number(before?.observed ?? 0),
    rowsAfter: after?.status === 'passed' ? 0 : null,
    proven: report.outcome === 'proven',
  };
}
