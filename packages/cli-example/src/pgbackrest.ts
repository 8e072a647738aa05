import {
  buildCommand,
  detectVersion,
  type ExecuteResult,
  execute,
  type Info,
  type LogEvent,
  type OptionMap,
  type PgBackRestCommand,
  parseInfo,
  render,
  type Transport,
} from '@chronos/pgbackrest';
import type { CommandContext, GlobalOptions } from './context.js';
import { UsageError } from './errors.js';

/** Where and how pgBackRest runs for one CLI invocation, and the options every command gets. */
export interface PgBackRestTarget {
  readonly stanza: string;
  readonly bin?: string;
  readonly config?: string;
  readonly transport: Transport;
  /** Options added to every command (secrets among them go to `PGBACKREST_*` env, never argv). */
  readonly options?: OptionMap;
  readonly signal?: AbortSignal;
}

/** pgBackRest, driven through the core builders and executor for one stanza. */
export interface PgBackRestSession {
  readonly stanza: string;
  readonly version: string;
  /** Builds a command with the session's stanza, config and options. */
  command(name: string, options?: OptionMap): PgBackRestCommand;
  /** The printable command line, secrets redacted. */
  render(name: string, options?: OptionMap): string;
  run(
    name: string,
    options?: OptionMap,
    extra?: { onLog?: (event: LogEvent) => void; acceptExitCodes?: readonly number[]; timeout?: number },
  ): Promise<ExecuteResult>;
  info(options?: OptionMap): Promise<Info>;
}

/**
 * The transport the global options ask for: `--docker`, `--ssh`, or local (as `--user` when given).
 *
 * @example
 * ```ts
 * transportFor({ docker: 'pg1', user: 'postgres' }); // { kind: 'docker', container: 'pg1', user: 'postgres' }
 * ```
 */
export function transportFor(globals: GlobalOptions): Transport {
  if (globals.docker !== undefined && globals.ssh !== undefined)
    throw new UsageError('give either --docker or --ssh, not both');
  if (globals.docker !== undefined) {
    return { kind: 'docker', container: globals.docker, ...(globals.user === undefined ? {} : { user: globals.user }) };
  }
  if (globals.ssh !== undefined) {
    return { kind: 'ssh', host: globals.ssh, ...(globals.user === undefined ? {} : { user: globals.user }) };
  }
  return globals.user === undefined ? { kind: 'local' } : { kind: 'local', runAs: { user: globals.user } };
}

/**
 * Opens a session: detects the pgBackRest version once (so builders check options against it), then builds and runs.
 *
 * @example
 * ```ts
 * const session = await openSession({ stanza: 'main', transport: { kind: 'local' } });
 * const info = await session.info();
 * ```
 */
export async function openSession(target: PgBackRestTarget): Promise<PgBackRestSession> {
  const run = { transport: target.transport, ...(target.signal === undefined ? {} : { signal: target.signal }) };
  const detected = await detectVersion({
    ...run,
    timeout: 30_000,
    ...(target.bin === undefined ? {} : { bin: target.bin }),
  });
  const version = detected.version;
  const context = { version, ...(target.bin === undefined ? {} : { bin: target.bin }) };
  const command = (name: string, options: OptionMap = {}) =>
    buildCommand(
      name,
      {
        stanza: target.stanza,
        ...(target.config === undefined ? {} : { config: target.config }),
        ...target.options,
        ...options,
      },
      context,
    );
  return {
    stanza: target.stanza,
    version,
    command,
    render: (name, options) => render(command(name, options)),
    run: (name, options, extra = {}) =>
      execute(command(name, options), {
        ...run,
        ...(extra.onLog === undefined ? {} : { onLog: extra.onLog }),
        ...(extra.acceptExitCodes === undefined ? {} : { acceptExitCodes: extra.acceptExitCodes }),
        ...(extra.timeout === undefined ? {} : { timeout: extra.timeout }),
      }),
    info: async (options = {}) =>
      parseInfo((await execute(command('info', { output: 'json', ...options }), run)).stdout),
  };
}

/**
 * The session for the global options of a CLI invocation; `--stanza` is required.
 *
 * @example
 * ```ts
 * const session = await clientFor(context);
 * ```
 */
export async function clientFor(context: CommandContext): Promise<PgBackRestSession> {
  const { globals } = context;
  if (globals.stanza === undefined || globals.stanza === '') {
    throw new UsageError('this command needs a stanza: pass --stanza <name> or set CHRONOS_STANZA');
  }
  return openSession({
    stanza: globals.stanza,
    transport: transportFor(globals),
    signal: context.signal,
    ...(globals.bin === undefined ? {} : { bin: globals.bin }),
    ...(globals.config === undefined ? {} : { config: globals.config }),
  });
}
