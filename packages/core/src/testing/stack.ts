import type { PgBackRestClient } from '../client/index.js';
import type { ProcessResult } from '../exec/process.js';
import type { StackRepo } from './stack-config.js';

/** Options for {@link PgBackRestStack.exec}. */
export interface StackExecOptions {
  /** Extra environment for the program (passed through the environment, never argv). */
  readonly env?: Readonly<Record<string, string>>;
  readonly input?: string;
  /** Milliseconds before the program is killed. */
  readonly timeout?: number;
  readonly signal?: AbortSignal;
}

/** How programs reach the stack: enough to point a pgBackRest client at it. */
export type StackTransport =
  /** Local programs run as `user` through `runuser -u <user> --` (or directly when already that user). */
  | { readonly kind: 'native'; readonly user: string; readonly env: Readonly<Record<string, string>> }
  /** Programs run through `docker exec -u <user> <containerName>`. */
  | { readonly kind: 'container'; readonly user: string; readonly containerName: string };

/** PostgreSQL connection facts of a stack (loopback only, trust authentication). */
export interface StackPostgres {
  readonly host: '127.0.0.1';
  readonly port: number;
  readonly user: 'postgres';
  readonly database: 'postgres';
  /** Unix socket directory inside the stack. */
  readonly socketPath: string;
  /** Data directory inside the stack (pgBackRest's `pg1-path`). */
  readonly dataPath: string;
}

/**
 * A running PostgreSQL cluster with pgBackRest configured for one stanza, on the host
 * (`startNativeStack`) or in a container (`startContainerStack`). The stanza is not created yet.
 *
 * @example
 * await using stack = await startNativeStack({ repos: [{ type: 'posix' }] });
 * await stack.exec('pgbackrest', [`--stanza=${stack.stanza}`, 'stanza-create']);
 */
export interface PgBackRestStack extends AsyncDisposable {
  readonly kind: 'native' | 'container';
  readonly stanza: string;
  /** PostgreSQL server version, e.g. `15.18`. */
  readonly pgVersion: string;
  readonly pgMajor: number;
  /** pgBackRest version, e.g. `2.45`. */
  readonly pgBackRestVersion: string;
  readonly pg: StackPostgres;
  /** pgbackrest.conf inside the stack. */
  readonly configPath: string;
  readonly repos: readonly StackRepo[];
  /** `repoN-path` of the posix repositories, inside the stack. */
  readonly repoPaths: readonly string[];
  readonly transport: StackTransport;
  /**
   * The secrets of the stack's repositories as `PGBACKREST_*` environment variables (cipher
   * passphrases, S3 keys), for a client that runs pgBackRest against this stack. A method, so
   * printing the stack never prints them.
   */
  secretEnv(): Readonly<Record<string, string>>;
  /**
   * A ready pgBackRest client for this stack (`createStackClient(stack)`: its stanza, config, transport,
   * version and, on a native stack, its secrets by environment). For other settings (timeout, onLog,
   * overriding options) call `createStackClient(stack, settings)`.
   */
  readonly client: PgBackRestClient;
  /** Runs `file args` inside the stack as user postgres; never throws for a non-zero exit. */
  exec(file: string, args: readonly string[], options?: StackExecOptions): Promise<ProcessResult>;
  /** Runs SQL with psql (unaligned, tuples only) and returns its stdout; throws on error. */
  psql(sql: string): Promise<string>;
  /** Stops PostgreSQL and removes the stack (temporary directories, container). Idempotent. */
  stop(): Promise<void>;
}

/** A program run inside a test stack failed. */
export class StackCommandError extends Error {
  override readonly name = 'StackCommandError';
  readonly exitCode: number | undefined;
  readonly stderr: string;
  constructor(what: string, result: ProcessResult) {
    const why = result.failedToSpawn?.message ?? (result.timedOut ? 'timed out' : `exit code ${result.exitCode}`);
    super(`${what} failed (${why}): ${result.stderr.trim().split('\n').slice(-5).join(' | ')}`);
    this.exitCode = result.exitCode;
    this.stderr = result.stderr;
  }
}

/**
 * Throws {@link StackCommandError} unless the program exited 0.
 *
 * @example
 * ensureSuccess('stanza-create', await stack.exec('pgbackrest', ['--stanza=demo', 'stanza-create']));
 */
export function ensureSuccess(what: string, result: ProcessResult): ProcessResult {
  if (result.exitCode !== 0) throw new StackCommandError(what, result);
  return result;
}
