import { chown, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runProcess } from '../../../src/exec/process.js';
import type { PgBackRestStack } from '../../../src/testing/index.js';

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Processes whose command line names the path (a drill's postmaster runs with `-D <scratch>/pgdata`). */
export async function processesOn(path: string): Promise<string[]> {
  const ps = await runProcess({ file: 'ps', args: ['-eo', 'pid,args'] });
  return ps.stdout.split('\n').filter((line) => line.includes(path) && !/\bps -eo\b/.test(line));
}

/** A temporary directory owned by postgres, where drills make their scratch directories. */
export async function postgresOwnedRoot(prefix: string): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), prefix));
  const postgresUid = Number((await runProcess({ file: 'id', args: ['-u', 'postgres'] })).stdout);
  await chown(root, postgresUid, postgresUid);
  return root;
}

/** The drill checks of the marker rows written by {@link writeMarkersAroundTarget}. */
export const markerChecks = [
  {
    name: 'rows before the target',
    sql: "SELECT count(*) FROM drill_marker WHERE phase = 'before'",
    expect: { kind: 'count-at-least', min: 3 },
  },
  {
    name: 'no row after the target',
    sql: "SELECT count(*) = 0 FROM drill_marker WHERE phase = 'after'",
    expect: { kind: 'true' },
  },
] as const;

/**
 * Writes three 'before' rows, takes a target time a second later, then writes an 'after' row a second after it;
 * resolves with the target (ISO, UTC, milliseconds).
 */
export async function writeMarkersAroundTarget(stack: PgBackRestStack): Promise<string> {
  await stack.psql(
    "CREATE TABLE drill_marker (phase text NOT NULL); INSERT INTO drill_marker SELECT 'before' FROM generate_series(1, 3)",
  );
  await sleep(1_200);
  const target = (
    await stack.psql(`SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`)
  ).trim();
  await sleep(1_200);
  await stack.psql("INSERT INTO drill_marker VALUES ('after')");
  return target;
}
