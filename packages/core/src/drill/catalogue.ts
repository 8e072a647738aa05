import type { DrillCheckResult } from './checks.js';
import type { ProgramRunner, RecoveredCluster } from './recovered-cluster.js';

/** A connection to the production cluster for the catalogue comparison (psql runs where the drill runs). */
export interface CatalogueConnection {
  /** Host or socket directory. Default: libpq's default. */
  readonly host?: string;
  readonly port?: number;
  /** Default `postgres`. */
  readonly user?: string;
  /** Name of an environment variable of this process holding the password (sent as `PGPASSWORD`, never argv). */
  readonly passwordEnv?: string;
  /** psql binary. Default `psql`. */
  readonly psql?: string;
}

/** One line per object: `database`, `schema db.s`, `table db.s.t`, `extension db.name version`. */
const DATABASES_SQL = 'SELECT datname FROM pg_database WHERE datallowconn AND NOT datistemplate ORDER BY 1';
const OBJECTS_SQL = `SELECT 'schema ' || nspname FROM pg_namespace WHERE nspname !~ '^pg_' AND nspname <> 'information_schema'
UNION ALL SELECT 'table ' || n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p', 'm', 'v') AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
UNION ALL SELECT 'extension ' || extname || ' ' || extversion FROM pg_extension
ORDER BY 1`;

/**
 * The differences between two catalogue listings: what only production has, what only the drill has.
 *
 * @example
 * catalogueDifferences(['table app.t', 'table app.u'], ['table app.t']); // ['missing in the drill: table app.u']
 */
export function catalogueDifferences(production: readonly string[], drill: readonly string[]): string[] {
  const inDrill = new Set(drill);
  const inProduction = new Set(production);
  return [
    ...production.filter((o) => !inDrill.has(o)).map((o) => `missing in the drill: ${o}`),
    ...drill.filter((o) => !inProduction.has(o)).map((o) => `only in the drill: ${o}`),
  ];
}

type Query = (sql: string, database: string) => Promise<string[]>;

async function listCatalogue(query: Query): Promise<string[]> {
  const databases = await query(DATABASES_SQL, 'postgres');
  const objects = [...databases.map((d) => `database ${d}`)];
  for (const database of databases) {
    for (const line of await query(OBJECTS_SQL, database)) {
      const space = line.indexOf(' ');
      objects.push(`${line.slice(0, space)} ${database}.${line.slice(space + 1)}`);
    }
  }
  return objects.sort();
}

/**
 * Compares databases, schemas, tables (and views) and extensions with their versions between production and the
 * drill's cluster; fails listing the differences (amcheck's own extension is compared before amcheck installs it).
 */
export async function compareCatalogues(
  run: ProgramRunner,
  cluster: RecoveredCluster,
  production: CatalogueConnection,
  signal: AbortSignal,
): Promise<DrillCheckResult> {
  const started = Date.now();
  const password = production.passwordEnv === undefined ? undefined : process.env[production.passwordEnv];
  const productionQuery: Query = async (sql, database) => {
    const result = await run(
      production.psql ?? 'psql',
      ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-d', database, '-c', sql],
      {
        env: {
          PGUSER: production.user ?? 'postgres',
          PGOPTIONS: '-c default_transaction_read_only=on',
          ...(production.host === undefined ? {} : { PGHOST: production.host }),
          ...(production.port === undefined ? {} : { PGPORT: String(production.port) }),
          ...(password === undefined ? {} : { PGPASSWORD: password }),
        },
        timeout: 120_000,
        signal,
      },
    );
    if (result.exitCode !== 0) throw new Error(`production: ${result.stderr.trim().split('\n')[0] ?? 'psql failed'}`);
    return result.stdout.split('\n').filter((l) => l !== '');
  };
  const drillQuery: Query = async (sql, database) =>
    (await cluster.psql(sql, { database, readOnly: true, signal })).split('\n').filter((l) => l !== '');
  try {
    const [inProduction, inDrill] = await Promise.all([listCatalogue(productionQuery), listCatalogue(drillQuery)]);
    const differences = catalogueDifferences(inProduction, inDrill);
    const durationSeconds = Math.round((Date.now() - started) / 10) / 100;
    return {
      name: 'catalogue',
      kind: 'catalogue',
      status: differences.length === 0 ? 'passed' : 'failed',
      durationSeconds,
      detail:
        differences.length === 0
          ? `${inDrill.length} databases, schemas, tables and extensions as in production`
          : `${differences.length} differences: ${differences.slice(0, 10).join('; ')}`,
    };
  } catch (error) {
    return {
      name: 'catalogue',
      kind: 'catalogue',
      status: 'failed',
      durationSeconds: Math.round((Date.now() - started) / 10) / 100,
      detail: `could not compare: ${(error as Error).message}`,
    };
  }
}
