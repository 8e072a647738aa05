import { createServer } from 'node:net';
import type { PgBackRestStack } from '@chronos/pgbackrest/testing';
import { CouldNotRunError } from '../errors.js';

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

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

/** A restored cluster started from a drill directory, inside the stack. */
export interface DrillCluster {
  readonly dataPath: string;
  readonly port: number;
  query(sql: string): Promise<string>;
  stop(): Promise<void>;
}

/**
 * Starts PostgreSQL on a restored data directory (its own port, sockets in the directory, loopback only) as user
 * postgres inside the stack, and waits until recovery has promoted it.
 *
 * @example
 * ```ts
 * const drill = await startDrillCluster(stack, '/tmp/chronos-drill-x1');
 * ```
 */
export async function startDrillCluster(stack: PgBackRestStack, dataPath: string): Promise<DrillCluster> {
  const bin = `/usr/lib/postgresql/${stack.pgMajor}/bin`;
  const port = await freePort();
  const start = await stack.exec(
    `${bin}/pg_ctl`,
    [
      '-D',
      dataPath,
      '-l',
      `${dataPath}/drill.log`,
      '-w',
      '-t',
      '120',
      '-o',
      `-p ${port} -k ${dataPath} -c listen_addresses=127.0.0.1`,
      'start',
    ],
    { timeout: 150_000 },
  );
  if (start.exitCode !== 0) {
    const log = await stack.exec('tail', ['-n', '5', `${dataPath}/drill.log`]);
    throw new CouldNotRunError(`the restored cluster did not start: ${log.stdout.trim().split('\n').join(' | ')}`);
  }
  const query = async (sql: string) => {
    const result = await stack.exec(`${bin}/psql`, [
      '-h',
      dataPath,
      '-p',
      String(port),
      '-U',
      'postgres',
      '-d',
      'postgres',
      '-AtX',
      '-c',
      sql,
    ]);
    if (result.exitCode !== 0)
      throw new CouldNotRunError(`query on the restored cluster failed: ${result.stderr.trim()}`);
    return result.stdout.trim();
  };
  const deadline = Date.now() + 120_000;
  while ((await query('SELECT pg_is_in_recovery()')) === 't') {
    if (Date.now() > deadline) throw new CouldNotRunError('the restored cluster did not finish recovery within 120 s');
    await sleep(500);
  }
  return {
    dataPath,
    port,
    query,
    stop: async () => {
      await stack.exec(`${bin}/pg_ctl`, ['-D', dataPath, '-m', 'fast', '-w', 'stop'], { timeout: 60_000 });
    },
  };
}
