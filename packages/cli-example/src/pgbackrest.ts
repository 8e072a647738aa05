import {
  buildCommand,
  CATALOGUE_VERSIONS,
  detectVersion,
  type ExecuteResult,
  execute,
  type Info,
  type InfoDocument,
  type LogEvent,
  type OptionMap,
  type PgBackRestCommand,
  render,
  supportsInfoProgress,
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
  /**
   * Info of the detail level asked for: with `progress`, `info --detail-level=progress` on pgBackRest 2.56+ (name and
   * status with lock progress only; it reads neither backup.info nor the WAL archive) and full info before.
   */
  infoDocument(mode: { readonly progress: boolean }): Promise<InfoDocument>;
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

function runOptionsFor(target: PgBackRestTarget): { transport: Transport; signal?: AbortSignal } {
  return { transport: target.transport, ...(target.signal === undefined ? {} : { signal: target.signal }) };
}

function versionOf(target: PgBackRestTarget): Promise<string> {
  return detectVersion({
    ...runOptionsFor(target),
    timeout: 30_000,
    ...(target.bin === undefined ? {} : { bin: target.bin }),
  }).then((detected) => detected.version);
}

function commandFor(target: PgBackRestTarget, version: string, name: string, options: OptionMap): PgBackRestCommand {
  return buildCommand(
    name,
    {
      stanza: target.stanza,
      ...(target.config === undefined ? {} : { config: target.config }),
      ...target.options,
      ...options,
    },
    { version, ...(target.bin === undefined ? {} : { bin: target.bin }) },
  );
}

function sameInvocation(a: PgBackRestCommand, b: PgBackRestCommand): boolean {
  const envA = Object.entries(a.env).sort(([x], [y]) => x.localeCompare(y));
  const envB = Object.entries(b.env).sort(([x], [y]) => x.localeCompare(y));
  return (
    a.file === b.file &&
    a.args.length === b.args.length &&
    a.args.every((arg, i) => arg === b.args[i]) &&
    JSON.stringify(envA) === JSON.stringify(envB)
  );
}

async function parseInfoOutput(stdout: string, parser = import('./info-parser.js')): Promise<Info> {
  const { parseInfo } = await parser;
  return parseInfo(stdout);
}

async function parseInfoProgressOutput(stdout: string): Promise<InfoDocument> {
  const { parseInfoProgress } = await import('./info-parser.js');
  return { detailLevel: 'progress', info: parseInfoProgress(stdout) };
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
  const run = runOptionsFor(target);
  const version = await versionOf(target);
  const command = (name: string, options: OptionMap = {}) => commandFor(target, version, name, options);
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
      parseInfoOutput((await execute(command('info', { output: 'json', ...options }), run)).stdout),
    infoDocument: async ({ progress }) =>
      progress && supportsInfoProgress(version)
        ? parseInfoProgressOutput(
            (await execute(command('info', { output: 'json', 'detail-level': 'progress' }), run)).stdout,
          )
        : {
            detailLevel: 'full',
            info: await parseInfoOutput((await execute(command('info', { output: 'json' }), run)).stdout),
          },
  };
}

/**
 * Reads `info --output=json` without waiting for version detection first. `info` only reads, so it starts at once,
 * built against the oldest catalogue, while the version is detected beside it; when the detected version would build
 * a different command (an option renamed or not yet known to the oldest release), that command runs instead.
 *
 * @example
 * ```ts
 * const info = await readLiveInfo({ stanza: 'main', transport: { kind: 'local', runAs: { user: 'postgres' } } });
 * ```
 */
export async function readLiveInfo(target: PgBackRestTarget, options: OptionMap = {}): Promise<Info> {
  const run = runOptionsFor(target);
  const infoOptions: OptionMap = { output: 'json', ...options };
  let early: PgBackRestCommand | undefined;
  try {
    early = commandFor(target, CATALOGUE_VERSIONS[0] as string, 'info', infoOptions);
  } catch {
    early = undefined;
  }
  const cancelEarly = new AbortController();
  const signal =
    target.signal === undefined ? cancelEarly.signal : AbortSignal.any([target.signal, cancelEarly.signal]);
  const running = early === undefined ? undefined : execute(early, { ...run, signal });
  running?.catch(() => undefined);
  const detecting = versionOf(target);
  const parser = import('./info-parser.js');
  parser.catch(() => undefined);
  let version: string;
  try {
    version = await detecting;
  } catch (error) {
    cancelEarly.abort();
    throw error;
  }
  const exact = commandFor(target, version, 'info', infoOptions);
  if (running === undefined || early === undefined || !sameInvocation(early, exact)) {
    cancelEarly.abort();
    return parseInfoOutput((await execute(exact, run)).stdout, parser);
  }
  return parseInfoOutput((await running).stdout, parser);
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
  return openSession(targetFor(context));
}

/**
 * Where pgBackRest runs for the global options of a CLI invocation; `--stanza` is required.
 *
 * @example
 * ```ts
 * const info = await readLiveInfo(targetFor(context));
 * ```
 */
export function targetFor(context: CommandContext): PgBackRestTarget {
  const { globals } = context;
  if (globals.stanza === undefined || globals.stanza === '') {
    throw new UsageError('this command needs a stanza: pass --stanza <name> or set CHRONOS_STANZA');
  }
  return {
    stanza: globals.stanza,
    transport: transportFor(globals),
    signal: context.signal,
    ...(globals.bin === undefined ? {} : { bin: globals.bin }),
    ...(globals.config === undefined ? {} : { config: globals.config }),
  };
}
