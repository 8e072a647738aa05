import { catalogueFor } from '../catalogue/catalogue.js';
import type {
  AnnotateOptions,
  AnyCommandOptions,
  ArchiveGetOptions,
  ArchivePushOptions,
  BackupOptions,
  CheckOptions,
  ExpireOptions,
  InfoOptions,
  RepoGetOptions,
  RepoLsOptions,
  RestoreOptions,
  StanzaCreateOptions,
  StanzaDeleteOptions,
  StanzaUpgradeOptions,
  StartOptions,
  StopOptions,
  VerifyOptions,
} from '../catalogue/options.generated.js';
import { type BuildContext, buildCommand, type OptionMap, type PgBackRestCommand } from '../commands/build-command.js';
import { parseVerifyOutput, type VerifyResult } from '../commands/parse-verify.js';
import { restoreCommand } from '../commands/restore.js';
import { PgBackRestConfigurationError, PgBackRestOutputError } from '../errors/pgbackrest-error.js';
import { type ExecuteResult, execute } from '../exec/executor.js';
import type { LogEvent } from '../exec/log-events.js';
import type { Transport } from '../exec/transport.js';
import { parseInfo, parseInfoProgress } from '../info/parse-info.js';
import { INFO_PROGRESS_SINCE, supportsInfoProgress } from '../info/progress-mode.js';
import type { Info, InfoProgress } from '../info/types.js';
import { detectVersion } from '../version/detect-version.js';
import { type PgBackRestVersion, parseVersion } from '../version/parse-version.js';

/** Client-wide settings. */
export interface PgBackRestClientOptions {
  /** The stanza every stanza command runs against. */
  readonly stanza: string;
  /** pgBackRest binary (on the target host / in the container). Default `pgbackrest`. */
  readonly bin?: string;
  /** pgbackrest.conf path (`--config`). Default: pgBackRest's own (`/etc/pgbackrest/pgbackrest.conf`). */
  readonly config?: string;
  /** Where pgBackRest runs. Default: locally as the current user. */
  readonly transport?: Transport;
  /**
   * pgBackRest options for every command that accepts them (`repo1-path`, `repo1-cipher-pass`, `log-level-console`, …),
   * secrets included: the client routes secure options to `PGBACKREST_*` env, the rest to argv. An option a command
   * does not accept is left out of that command.
   */
  readonly options?: Partial<AnyCommandOptions>;
  /** pgBackRest version, if known (`2.45`). Default: asked from the binary once, on first use. */
  readonly version?: string;
  /** Default timeout in milliseconds for every command. */
  readonly timeout?: number;
  /** Receives pgBackRest log messages of every command. */
  readonly onLog?: (event: LogEvent) => void;
}

/** Per-call run settings. */
export interface RunOptions {
  readonly timeout?: number;
  readonly signal?: AbortSignal;
  readonly onLog?: (event: LogEvent) => void;
}

/** One entry of `repo-ls --output=json`. */
export interface RepoLsEntry {
  readonly type: 'file' | 'path' | 'link' | 'special';
  readonly size?: number;
  /** Modification time, seconds since the epoch. */
  readonly time?: number;
  readonly destination?: string;
}

type WithoutStanza<T> = Omit<T, 'stanza'>;

/** `info` options as the client takes them: pgBackRest's own, less `output` (always JSON) and `detail-level`. */
export type InfoCallOptions = WithoutStanza<Omit<InfoOptions, 'output' | 'detail-level'>>;

/** The typed pgBackRest client: every command, options checked against the detected version. */
export interface PgBackRestClient {
  readonly stanza: string;
  /** Where this client runs pgBackRest (programs a drill starts beside it run the same way). */
  readonly transport: Transport;
  /** The pgBackRest version commands are built for (detected on first use unless given). */
  version(run?: RunOptions): Promise<PgBackRestVersion>;
  backup(options?: WithoutStanza<BackupOptions>, run?: RunOptions): Promise<ExecuteResult>;
  restore(options?: WithoutStanza<RestoreOptions>, run?: RunOptions): Promise<ExecuteResult>;
  /** `info --output=json`, parsed losslessly. */
  info(options?: InfoCallOptions & { readonly detailLevel?: 'full' }, run?: RunOptions): Promise<Info>;
  /**
   * `info --output=json --detail-level=progress` (pgBackRest 2.56+), parsed losslessly: per stanza only the name and
   * status with the backup and restore locks and their progress. It reads neither backup.info nor the WAL archive, so
   * it stays fast on repositories with millions of WAL files. On older releases it throws
   * {@link PgBackRestConfigurationError} before anything runs.
   */
  info(options: InfoCallOptions & { readonly detailLevel: 'progress' }, run?: RunOptions): Promise<InfoProgress>;
  check(options?: WithoutStanza<CheckOptions>, run?: RunOptions): Promise<ExecuteResult>;
  stanzaCreate(options?: WithoutStanza<StanzaCreateOptions>, run?: RunOptions): Promise<ExecuteResult>;
  stanzaUpgrade(options?: WithoutStanza<StanzaUpgradeOptions>, run?: RunOptions): Promise<ExecuteResult>;
  /** Deletes the stanza with all its backups and WAL. Requires `force: true`, and the stanza stopped first. */
  stanzaDelete(
    options: WithoutStanza<StanzaDeleteOptions> & { readonly force: true },
    run?: RunOptions,
  ): Promise<ExecuteResult>;
  expire(options?: WithoutStanza<ExpireOptions>, run?: RunOptions): Promise<ExecuteResult>;
  /** `verify --output=text` (verbose unless told otherwise), parsed: pgBackRest exits 0 even on corruption. */
  verify(options?: WithoutStanza<Omit<VerifyOptions, 'output'>>, run?: RunOptions): Promise<VerifyResult>;
  start(options?: WithoutStanza<StartOptions>, run?: RunOptions): Promise<ExecuteResult>;
  stop(options?: WithoutStanza<StopOptions>, run?: RunOptions): Promise<ExecuteResult>;
  /** `repo-ls --output=json [path]`: entries by name relative to `path` (`.` is the path itself). */
  repoLs(
    path?: string,
    options?: WithoutStanza<Omit<RepoLsOptions, 'output'>>,
    run?: RunOptions,
  ): Promise<Record<string, RepoLsEntry>>;
  /** `repo-get <path>`: the file's text, decrypted and decompressed (unless `raw`). */
  repoGet(path: string, options?: WithoutStanza<RepoGetOptions>, run?: RunOptions): Promise<string>;
  /** Sets (or with an empty value removes) annotations of a backup set. */
  annotate(
    set: string,
    annotation: Readonly<Record<string, string>>,
    options?: WithoutStanza<Omit<AnnotateOptions, 'set' | 'annotation'>>,
    run?: RunOptions,
  ): Promise<ExecuteResult>;
  archivePush(walPath: string, options?: WithoutStanza<ArchivePushOptions>, run?: RunOptions): Promise<ExecuteResult>;
  /** Fetches one WAL segment to `destination`; resolves false when the repository does not have it (exit 1). */
  archiveGet(
    walSegment: string,
    destination: string,
    options?: WithoutStanza<ArchiveGetOptions>,
    run?: RunOptions,
  ): Promise<boolean>;
  /** Builds a command the way the client would run it (for `render` or a dry run), with the client's options merged. */
  build(command: string, options?: OptionMap, parameters?: readonly string[]): Promise<PgBackRestCommand>;
}

/**
 * Creates a pgBackRest client bound to one stanza.
 *
 * @example
 * const pgbackrest = createPgBackRest({
 *   stanza: 'main',
 *   transport: { kind: 'local', runAs: { user: 'postgres' } },
 *   options: { 'repo1-path': '/var/lib/pgbackrest', 'repo1-cipher-pass': process.env.CIPHER_PASS },
 * });
 * await pgbackrest.backup({ type: 'full', 'start-fast': true });
 * const [stanza] = await pgbackrest.info();
 */
export function createPgBackRest(settings: PgBackRestClientOptions): PgBackRestClient {
  if (settings.stanza === '') throw new PgBackRestConfigurationError('stanza is empty', { option: 'stanza' });
  let versionPromise: Promise<PgBackRestVersion> | undefined = settings.version
    ? Promise.resolve(parseVersion(`pgBackRest ${settings.version}`))
    : undefined;

  const version = (run: RunOptions = {}): Promise<PgBackRestVersion> => {
    if (!versionPromise) {
      versionPromise = detectVersion({
        ...(settings.bin === undefined ? {} : { bin: settings.bin }),
        ...(settings.transport === undefined ? {} : { transport: settings.transport }),
        ...runSettings(run),
      });
      versionPromise.catch(() => {
        versionPromise = undefined;
      });
    }
    return versionPromise;
  };

  const runSettings = (run: RunOptions) => {
    const timeout = run.timeout ?? settings.timeout;
    const onLog = run.onLog ?? settings.onLog;
    return {
      ...(timeout === undefined ? {} : { timeout }),
      ...(run.signal === undefined ? {} : { signal: run.signal }),
      ...(onLog === undefined ? {} : { onLog }),
    };
  };

  const build = async (command: string, options: OptionMap = {}, parameters: readonly string[] = []) => {
    const { version: detected } = await version();
    const context: BuildContext = { version: detected, ...(settings.bin === undefined ? {} : { bin: settings.bin }) };
    return buildCommand(command, mergeOptions(command, detected, options), context, parameters);
  };

  const mergeOptions = (command: string, detected: string, options: OptionMap): OptionMap => {
    const accepted = catalogueFor(detected).optionsFor(command);
    const merged: Record<string, OptionMap[string]> = {};
    const inherit = (name: string, value: OptionMap[string]) => {
      const resolved = catalogueFor(detected).option(name);
      if (!resolved) {
        throw new PgBackRestConfigurationError(`client option '${name}' does not exist in pgBackRest ${detected}`, {
          option: name,
        });
      }
      if (accepted.has(resolved.definition.name)) merged[name] = value;
    };
    if (settings.config !== undefined) inherit('config', settings.config);
    inherit('stanza', settings.stanza);
    for (const [name, value] of Object.entries(settings.options ?? {})) inherit(name, value as OptionMap[string]);
    if ('stanza' in options) {
      throw new PgBackRestConfigurationError('the client is bound to one stanza; create another client for another', {
        option: 'stanza',
      });
    }
    return { ...merged, ...options };
  };

  const run = async (command: string, options: object, call: RunOptions = {}, parameters: readonly string[] = []) =>
    execute(await build(command, options as OptionMap, parameters), {
      ...(settings.transport === undefined ? {} : { transport: settings.transport }),
      ...runSettings(call),
    });

  return {
    stanza: settings.stanza,
    transport: settings.transport ?? { kind: 'local' },
    version,
    build,
    backup: (options = {}, call) => run('backup', options, call),
    restore: async (options = {}, call) => {
      restoreCommand(options as RestoreOptions);
      return run('restore', options, call);
    },
    info: (async (
      options: InfoCallOptions & { readonly detailLevel?: 'full' | 'progress' } = {},
      call?: RunOptions,
    ): Promise<Info | InfoProgress> => {
      const { detailLevel, ...rest } = options;
      if (detailLevel !== 'progress') return parseInfo((await run('info', { ...rest, output: 'json' }, call)).stdout);
      const detected = (await version(call ?? {})).version;
      if (!supportsInfoProgress(detected)) {
        throw new PgBackRestConfigurationError(
          `info({ detailLevel: 'progress' }) needs pgBackRest ${INFO_PROGRESS_SINCE} or newer (info --detail-level=progress); ` +
            `this is pgBackRest ${detected}: call info() instead, whose full report carries the same locks and progress`,
          { option: 'detail-level' },
        );
      }
      const result = await run('info', { ...rest, output: 'json', 'detail-level': 'progress' }, call);
      return parseInfoProgress(result.stdout);
    }) as PgBackRestClient['info'],
    check: (options = {}, call) => run('check', options, call),
    stanzaCreate: (options = {}, call) => run('stanza-create', options, call),
    stanzaUpgrade: (options = {}, call) => run('stanza-upgrade', options, call),
    stanzaDelete: (options, call) => {
      if ((options as { force?: unknown } | undefined)?.force !== true) {
        return Promise.reject(
          new PgBackRestConfigurationError(
            'stanzaDelete deletes every backup and WAL of the stanza: pass force: true',
            {
              option: 'force',
            },
          ),
        );
      }
      return run('stanza-delete', options, call);
    },
    expire: (options = {}, call) => run('expire', options, call),
    verify: async (options = {}, call) => {
      const result = await run('verify', { verbose: true, ...options, output: 'text' }, call);
      return parseVerifyOutput(result.stdout);
    },
    start: (options = {}, call) => run('start', options, call),
    stop: (options = {}, call) => run('stop', options, call),
    repoLs: async (path, options = {}, call) => {
      const result = await run('repo-ls', { ...options, output: 'json' }, call, path === undefined ? [] : [path]);
      try {
        return JSON.parse(result.stdout) as Record<string, RepoLsEntry>;
      } catch (cause) {
        throw new PgBackRestOutputError('repo-ls did not print JSON', { stdout: result.stdout, cause });
      }
    },
    repoGet: async (path, options = {}, call) => (await run('repo-get', options, call, [path])).stdout,
    annotate: (set, annotation, options = {}, call) => run('annotate', { ...options, set, annotation }, call),
    archivePush: (walPath, options = {}, call) => run('archive-push', options, call, [walPath]),
    archiveGet: async (walSegment, destination, options = {}, call) => {
      const result = await execute(await build('archive-get', options as OptionMap, [walSegment, destination]), {
        ...(settings.transport === undefined ? {} : { transport: settings.transport }),
        ...runSettings(call ?? {}),
        acceptExitCodes: [1],
      });
      return result.exitCode === 0;
    },
  };
}
