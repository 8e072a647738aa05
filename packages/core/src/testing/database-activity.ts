import type { PgBackRestStack } from './stack.js';

const identifier = /^[a-z_][a-z0-9_]*$/;

/**
 * Writes `rows` rows of about 100 bytes into `table` (created when missing) so backups and WAL
 * have something to carry. Returns the table's row count afterwards.
 *
 * @example
 * await writeRows(stack, 10_000);            // table chronos_data
 * await writeRows(stack, 500, 'orders');
 */
export async function writeRows(stack: PgBackRestStack, rows: number, table = 'chronos_data'): Promise<number> {
  if (!identifier.test(table)) throw new Error(`table '${table}' must be a plain lower-case identifier`);
  if (!Number.isSafeInteger(rows) || rows < 0) throw new Error(`rows must be a non-negative integer, not ${rows}`);
  const out = await stack.psql(
    `CREATE TABLE IF NOT EXISTS ${table} (id bigserial PRIMARY KEY, at timestamptz DEFAULT now(), payload text);` +
      `INSERT INTO ${table} (payload) SELECT md5(g::text) || md5((g + 1)::text) || md5((g + 2)::text) FROM generate_series(1, ${rows}) g;` +
      `SELECT count(*) FROM ${table};`,
  );
  return Number.parseInt(out.trim().split('\n').at(-1) ?? '', 10);
}

/**
 * Forces a WAL segment switch (`pg_switch_wal()`) so the current segment is archived.
 * Returns the name of the segment that was closed.
 *
 * @example
 * const segment = await switchWal(stack); // '000000010000000000000003'
 */
export async function switchWal(stack: PgBackRestStack): Promise<string> {
  const out = await stack.psql('SELECT pg_walfile_name(pg_switch_wal())');
  return out.trim();
}

/**
 * Creates a named restore point (`pg_create_restore_point(name)`) and returns its LSN.
 *
 * @example
 * const lsn = await createRestorePoint(stack, 'before-migration'); // '0/3000090'
 */
export async function createRestorePoint(stack: PgBackRestStack, name: string): Promise<string> {
  if (name.length === 0 || name.length > 63) throw new Error('a restore point name has 1 to 63 characters');
  const out = await stack.psql(`SELECT pg_create_restore_point('${name.replaceAll("'", "''")}')`);
  return out.trim();
}

/**
 * The current WAL insert LSN (`pg_current_wal_lsn()`).
 *
 * @example
 * const lsn = await currentLsn(stack); // '0/3000148'
 */
export async function currentLsn(stack: PgBackRestStack): Promise<string> {
  return (await stack.psql('SELECT pg_current_wal_lsn()')).trim();
}
