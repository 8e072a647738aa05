import {
  createPgBackRest,
  type InfoDocument,
  type OptionMap,
  type PgBackRestClient,
  type PgBackRestClientOptions,
  supportsInfoProgress,
  type Transport,
} from '@chronos/pgbackrest';
import type { CommandContext, GlobalOptions } from './context.js';
import { UsageError } from './errors.js';

/** Where and how pgBackRest runs for one CLI invocation. */
export interface PgBackRestTarget {
  readonly stanza: string;
  readonly bin?: string;
  readonly config?: string;
  readonly transport: Transport;
  /** Options added to every command (secrets among them go to `PGBACKREST_*` env, never argv). */
  readonly options?: OptionMap;
  readonly signal?: AbortSignal;
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
 * The public client for a target: the CLI runs pgBackRest only through `createPgBackRest`.
 *
 * @example
 * ```ts
 * const client = openClient({ stanza: 'main', transport: { kind: 'local' } });
 * ```
 */
export function openClient(target: PgBackRestTarget): PgBackRestClient {
  return createPgBackRest({
    stanza: target.stanza,
    transport: target.transport,
    ...(target.bin === undefined ? {} : { bin: target.bin }),
    ...(target.config === undefined ? {} : { config: target.config }),
    ...(target.options === undefined
      ? {}
      : { options: target.options as NonNullable<PgBackRestClientOptions['options']> }),
    ...(target.signal === undefined ? {} : { signal: target.signal }),
  });
}

/**
 * The client for the global options of a CLI invocation (Ctrl-C aborts its calls); `--stanza` is required.
 *
 * @example
 * ```ts
 * const info = await clientFor(context).info();
 * ```
 */
export function clientFor(context: CommandContext): PgBackRestClient {
  return openClient(targetFor(context));
}

/**
 * Info for polling: `info --detail-level=progress` where the detected pgBackRest has it (2.56+), full info before.
 *
 * @example
 * ```ts
 * const { detailLevel, info } = await progressInfo(client);
 * ```
 */
export async function progressInfo(client: PgBackRestClient): Promise<InfoDocument> {
  const { version } = await client.version();
  return supportsInfoProgress(version)
    ? { detailLevel: 'progress', info: await client.info({ detailLevel: 'progress' }) }
    : { detailLevel: 'full', info: await client.info() };
}

/**
 * Where pgBackRest runs for the global options of a CLI invocation; `--stanza` is required.
 *
 * @example
 * ```ts
 * const client = openClient(targetFor(context));
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
