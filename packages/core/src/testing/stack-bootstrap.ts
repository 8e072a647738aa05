import { createServer } from 'node:net';
import type { ProcessResult } from '../exec/process.js';
import { ensureSuccess, type PgBackRestStack, type StackExecOptions, type StackTransport } from './stack.js';
import { createStackClient } from './stack-client.js';
import { type PgSettings, renderPostgresSettings, type StackRepo } from './stack-config.js';
import { type OnStartStep, stopOnce } from './stop-once.js';

type Exec = (file: string, args: readonly string[], options?: StackExecOptions) => Promise<ProcessResult>;

/** Where a stack keeps its files, inside the stack. */
export interface StackLayout {
  readonly binDir: string;
  readonly dataPath: string;
  readonly socketPath: string;
  readonly statePath: string;
  readonly configPath: string;
  readonly pgLogPath: string;
}

export interface BootstrapInput {
  readonly kind: 'native' | 'container';
  readonly stanza: string;
  readonly port: number;
  readonly layout: StackLayout;
  readonly configText: string;
  readonly archiveCommand: string;
  readonly pgSettings?: PgSettings | undefined;
  readonly repos: readonly StackRepo[];
  readonly transport: StackTransport;
  readonly exec: Exec;
  readonly secretEnv: Readonly<Record<string, string>>;
  readonly teardown: () => Promise<void>;
  readonly onStep?: OnStartStep | undefined;
}

/** A free TCP port on 127.0.0.1 (the kernel's pick, released before use). */
export async function freeLoopbackPort(): Promise<number> {
  return await new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Stanza names unique enough for parallel test files sharing an S3 bucket. */
export function randomSuffix(): string {
  return Math.random().toString(36).slice(2, 8);
}

export function writeFileArgs(path: string, append = false): readonly string[] {
  return ['-c', append ? 'cat >> "$1"' : 'cat > "$1"', 'sh', path];
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Initialises and starts PostgreSQL inside a prepared stack, writes pgbackrest.conf, waits for a
 * real query to answer, and returns the running stack.
 */
export async function bootstrapStack(input: BootstrapInput): Promise<PgBackRestStack> {
  const { exec, layout } = input;
  const bin = (name: string) => `${layout.binDir}/${name}`;
  const stopPostgres = () =>
    exec(bin('pg_ctl'), ['-D', layout.dataPath, '-m', 'immediate', '-w', 'stop'], { timeout: 60_000 });
  let postgresStarted = false;
  try {
    await input.onStep?.('initdb');
    ensureSuccess(
      'initdb',
      await exec(
        bin('initdb'),
        ['-D', layout.dataPath, '--locale=C.UTF-8', '-E', 'UTF8', '-A', 'trust', '-U', 'postgres', '--no-sync'],
        { timeout: 120_000 },
      ),
    );
    const settings = renderPostgresSettings({
      port: input.port,
      socketPath: layout.socketPath,
      archiveCommand: input.archiveCommand,
      settings: input.pgSettings,
    });
    await input.onStep?.('configure');
    ensureSuccess(
      'write postgresql.conf',
      await exec('sh', writeFileArgs(`${layout.dataPath}/postgresql.conf`, true), { input: settings }),
    );
    ensureSuccess(
      'write pgbackrest.conf',
      await exec('sh', writeFileArgs(layout.configPath), { input: input.configText }),
    );
    await input.onStep?.('start PostgreSQL');
    postgresStarted = true;
    ensureSuccess(
      'pg_ctl start',
      await exec(bin('pg_ctl'), ['-D', layout.dataPath, '-l', layout.pgLogPath, '-w', '-t', '120', 'start'], {
        timeout: 150_000,
      }),
    );

    const psqlArgs = (sql: string) => [
      '-X',
      '-q',
      '-A',
      '-t',
      '-v',
      'ON_ERROR_STOP=1',
      '-h',
      layout.socketPath,
      '-p',
      String(input.port),
      '-U',
      'postgres',
      '-d',
      'postgres',
      '-c',
      sql,
    ];
    const psql = async (sql: string) => {
      const result = await exec(bin('psql'), psqlArgs(sql), { timeout: 300_000 });
      return ensureSuccess(`psql ${JSON.stringify(sql.slice(0, 60))}`, result).stdout;
    };
    await input.onStep?.('readiness');
    let version = '';
    for (let attempt = 0; ; attempt++) {
      const result = await exec(bin('psql'), psqlArgs('SHOW server_version'), { timeout: 10_000 });
      if (result.exitCode === 0) {
        version = result.stdout.trim().split(/\s/)[0] ?? '';
        break;
      }
      if (attempt >= 60) ensureSuccess('PostgreSQL readiness query', result);
      await sleep(500);
    }
    await input.onStep?.('pgbackrest version');
    const pgbackrestVersion = ensureSuccess('pgbackrest version', await exec('pgbackrest', ['version']))
      .stdout.trim()
      .replace(/^pgBackRest\s+/, '');

    const stop = stopOnce(async () => {
      try {
        await stopPostgres();
      } finally {
        await input.teardown();
      }
    });
    const stack: Omit<PgBackRestStack, 'client'> = {
      kind: input.kind,
      stanza: input.stanza,
      pgVersion: version,
      pgMajor: Number.parseInt(version, 10),
      pgBackRestVersion: pgbackrestVersion,
      pg: {
        host: '127.0.0.1',
        port: input.port,
        user: 'postgres',
        database: 'postgres',
        socketPath: layout.socketPath,
        dataPath: layout.dataPath,
      },
      configPath: layout.configPath,
      repos: input.repos,
      repoPaths: input.repos.filter((r) => r.type === 'posix').map((r) => r.path),
      transport: input.transport,
      secretEnv: () => ({ ...input.secretEnv }),
      exec,
      psql,
      stop,
      [Symbol.asyncDispose]: stop,
    };
    return { ...stack, client: createStackClient(stack) };
  } catch (error) {
    const log = await exec('sh', ['-c', 'tail -n 20 "$1" 2>/dev/null', 'sh', layout.pgLogPath]).catch(() => undefined);
    if (postgresStarted) await stopPostgres().catch(() => undefined);
    await input.teardown().catch(() => undefined);
    if (log?.stdout && error instanceof Error) error.message += `\nPostgreSQL log:\n${log.stdout}`;
    throw error;
  }
}
