import { CATALOGUE_VERSIONS, catalogueFor } from '../catalogue/catalogue.js';
import type {
  AnnotateOptions,
  AnyCommandOptions,
  ArchiveGetOptions,
  ArchivePushOptions,
  BackupOptions,
  CheckOptions,
  CommandName,
  ExpireOptions,
  InfoOptions,
  OptionsByCommand,
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
import {
  type BuildContext,
  buildCommand,
  buildsAlikeForEveryVersion,
  type OptionMap,
  type PgBackRestCommand,
} from '../commands/build-command.js';
import { parseVerifyOutput, type VerifyResult } from '../commands/parse-verify.js';
import { render } from '../commands/render.js';
import { restoreCommand } from '../commands/restore.js';
import {
  PgBackRestAbortError,
  PgBackRestConfigurationError,
  PgBackRestOutputError,
  PgBackRestTimeoutError,
} from '../errors/pgbackrest-error.js';
import { type ExecuteResult, execute } from '../exec/executor.js';
import type { LogEvent } from '../exec/log-events.js';
import type { Transport } from '../exec/transport.js';
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
  /**
   * pgBackRest version, if known (`2.45`). Default: asked from the binary once, the first time a call needs it; `info`
   * with options that every release builds alike does not need it.
   */
  readonly version?: string;
  /** Default timeout in milliseconds for every command. */
  readonly timeout?: number;
  /** Receives pgBackRest log messages of every command. */
  readonly onLog?: (event: LogEvent) => void;
  /** Aborts every call of this client, version detection included (beside each call's own signal). */
  readonly signal?: AbortSignal;
  /**
   * Milliseconds between SIGTERM and SIGKILL when a timeout or abort ends a call, for the local process group and,
   * over docker or ssh, the pgBackRest process group there; an abort after a timeout ends the grace. Default 2000.
   */
  readonly killGraceMs?: number;
}

/**
 * Per-call run settings. `timeout` and `signal` cover the whole call, version detection included: a call that waits
 * for the client's first version detection ends when its own signal aborts or its own deadline passes.
 */
export interface RunOptions {
  /** Milliseconds for the whole call, version detection included ({@link PgBackRestTimeoutError}). */
  readonly timeout?: number;
  /** Cancels the call and kills its process tree ({@link PgBackRestAbortError}). */
  readonly signal?: AbortSignal;
  /** Receives pgBackRest log messages of this call (instead of the client's `onLog`). */
  readonly onLog?: (event: LogEvent) => void;
  /** Non-zero exit statuses that are answers, not failures (the result carries the exit code). */
  readonly acceptExitCodes?: readonly number[];
}

/** Options of one command as the client takes them: pgBackRest's own for that command; the stanza is the client's. */
export type CommandOptions<C extends CommandName> = OptionsByCommand[C] & { readonly stanza?: never };

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
  /**
   * Runs any command by name with its typed options (the client's options merged, checked against the detected
   * version): for commands without a method of their own, or to get the raw result.
   */
  run<C extends CommandName>(
    command: C,
    options?: CommandOptions<C>,
    run?: RunOptions,
    parameters?: readonly string[],
  ): Promise<ExecuteResult>;
  /** Builds a command the way the client would run it (for `render` or a dry run), with the client's options merged. */
  build<C extends CommandName>(
    command: C,
    options?: CommandOptions<C>,
    parameters?: readonly string[],
    run?: Pick<RunOptions, 'signal' | 'timeout'>,
  ): Promise<PgBackRestCommand>;
  /** The printable command line the client would run, secrets redacted; nothing runs but version detection. */
  render<C extends CommandName>(
    command: C,
    options?: CommandOptions<C>,
    parameters?: readonly string[],
    run?: Pick<RunOptions, 'signal' | 'timeout'>,
  ): Promise<string>;
}

/** A call's cancellation: its signal and the moment its timeout runs out. */
interface CallLimits {
  readonly signal?: AbortSignal;
  readonly timeout?: number;
  readonly deadline?: number;
}

interface Detection {
  readonly promise: Promise<PgBackRestVersion>;
  readonly controller: AbortController;
  waiters: number;
}

const OLDEST = CATALOGUE_VERSIONS[0] as string;

const limitsOf = (call: Pick<RunOptions, 'signal' | 'timeout'>, fallbackTimeout: number | undefined): CallLimits => {
  const timeout = call.timeout ?? fallbackTimeout;
  return {
    ...(call.signal === undefined ? {} : { signal: call.signal }),
    ...(timeout === undefined ? {} : { timeout, deadline: Date.now() + timeout }),
  };
};

const remainingOf = (limits: CallLimits): number | undefined =>
  limits.deadline === undefined ? undefined : Math.max(1, limits.deadline - Date.now());

const sameInvocation = (a: PgBackRestCommand, b: PgBackRestCommand): boolean => {
  const envOf = (command: PgBackRestCommand) =>
    JSON.stringify(Object.entries(command.env).sort(([x], [y]) => (x < y ? -1 : 1)));
  return (
    a.file === b.file &&
    a.args.length === b.args.length &&
    a.args.every((arg, i) => arg === b.args[i]) &&
    envOf(a) === envOf(b)
  );
};

const infoParsers = () => import('../info/parse-info.js');

/**
 * Creates a pgBackRest client bound to one stanza. The version is detected once, the first time a call needs it
 * (unless given), and every command is checked against that version's catalogue before it runs. `info` whose options
 * every release builds alike (the stanza, repository, output and log options, for example) runs without detection.
 *
 * @example
 * const pgbackrest = createPgBackRest({
 *   stanza: 'main',
 *   transport: { kind: 'local', runAs: { user: 'postgres' } },
 *   options: { 'repo1-path': '/var/lib/pgbackrest', 'repo1-cipher-pass': process.env.CIPHER_PASS },
 * });
 * await pgbackrest.backup({ type: 'full', 'start-fast': true });
 * const [stanza] = await pgbackrest.info();
 * console.log(await pgbackrest.render('restore', { type: 'immediate' })); // pgbackrest --stanza=main … restore
 */
export function createPgBackRest(settings: PgBackRestClientOptions): PgBackRestClient {
  if (settings.stanza === '') throw new PgBackRestConfigurationError('stanza is empty', { option: 'stanza' });
  let known: PgBackRestVersion | undefined = settings.version
    ? parseVersion(`pgBackRest ${settings.version}`)
    : undefined;
  let detection: Detection | undefined;

  const startDetection = (): Detection => {
    const controller = new AbortController();
    const promise = detectVersion({
      ...(settings.bin === undefined ? {} : { bin: settings.bin }),
      ...(settings.transport === undefined ? {} : { transport: settings.transport }),
      signal: controller.signal,
    });
    const current: Detection = { promise, controller, waiters: 0 };
    detection = current;
    promise.then(
      (detected) => {
        known = detected;
      },
      () => {
        if (detection === current) detection = undefined;
      },
    );
    return current;
  };

  /** The version, waited for within the call's own signal and deadline; detection stops when no call waits anymore. */
  const versionWithin = (limits: CallLimits): Promise<PgBackRestVersion> => {
    if (known) return Promise.resolve(known);
    const current = detection ?? startDetection();
    current.waiters += 1;
    return new Promise<PgBackRestVersion>((resolve, reject) => {
      let done = false;
      let timer: NodeJS.Timeout | undefined;
      const finish = () => {
        done = true;
        current.waiters -= 1;
        if (timer !== undefined) clearTimeout(timer);
        limits.signal?.removeEventListener('abort', onAbort);
      };
      const giveUp = (error: Error) => {
        if (done) return;
        finish();
        if (current.waiters === 0) current.controller.abort(error);
        reject(error);
      };
      const details = { command: `${settings.bin ?? 'pgbackrest'} version` };
      const onAbort = () => giveUp(new PgBackRestAbortError({ ...details, cause: limits.signal?.reason }));
      if (limits.signal?.aborted) return onAbort();
      limits.signal?.addEventListener('abort', onAbort, { once: true });
      const remaining = remainingOf(limits);
      if (remaining !== undefined) {
        timer = setTimeout(() => giveUp(new PgBackRestTimeoutError(limits.timeout ?? remaining, details)), remaining);
      }
      current.promise.then(
        (detected) => {
          if (done) return;
          finish();
          resolve(detected);
        },
        (error: unknown) => {
          if (done) return;
          finish();
          reject(error);
        },
      );
    });
  };

  const mergeOptions = (command: string, detected: string, options: OptionMap): OptionMap => {
    const catalogue = catalogueFor(detected);
    const accepted = catalogue.optionsFor(command);
    const merged: Record<string, OptionMap[string]> = {};
    const inherit = (name: string, value: OptionMap[string]) => {
      const resolved = catalogue.option(name);
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

  const buildFor = (
    detected: string,
    command: string,
    options: object,
    parameters: readonly string[],
  ): PgBackRestCommand => {
    const context: BuildContext = { version: detected, ...(settings.bin === undefined ? {} : { bin: settings.bin }) };
    const merged = mergeOptions(command, detected, options as OptionMap);
    if (command === 'restore' && parameters.length === 0) return restoreCommand(merged as RestoreOptions, context);
    return buildCommand(command, merged, context, parameters);
  };

  const executeWithin = (command: PgBackRestCommand, call: RunOptions, limits: CallLimits, signal = call.signal) => {
    const timeout = remainingOf(limits);
    const onLog = call.onLog ?? settings.onLog;
    return execute(command, {
      ...(settings.transport === undefined ? {} : { transport: settings.transport }),
      ...(timeout === undefined ? {} : { timeout }),
      ...(signal === undefined ? {} : { signal }),
      ...(onLog === undefined ? {} : { onLog }),
      ...(call.acceptExitCodes === undefined ? {} : { acceptExitCodes: call.acceptExitCodes }),
      ...(settings.killGraceMs === undefined ? {} : { killGraceMs: settings.killGraceMs }),
    });
  };

  const withClientSignal = <T extends Pick<RunOptions, 'signal'>>(call: T): T => {
    if (settings.signal === undefined) return call;
    const signal = call.signal === undefined ? settings.signal : AbortSignal.any([settings.signal, call.signal]);
    return { ...call, signal };
  };

  const build = async (
    command: string,
    options: object = {},
    parameters: readonly string[] = [],
    call: Pick<RunOptions, 'signal' | 'timeout'> = {},
  ) =>
    buildFor(
      (await versionWithin(limitsOf(withClientSignal(call), settings.timeout))).version,
      command,
      options,
      parameters,
    );

  const run = async (
    command: string,
    options: object = {},
    ownCall: RunOptions = {},
    parameters: readonly string[] = [],
  ) => {
    const call = withClientSignal(ownCall);
    const limits = limitsOf(call, settings.timeout);
    const detected = (await versionWithin(limits)).version;
    return executeWithin(buildFor(detected, command, options, parameters), call, limits);
  };

  /** Whether every pgBackRest release builds this command alike, the client's options merged: then no version is needed. */
  const alikeForEveryVersion = (command: string, options: object): boolean =>
    buildsAlikeForEveryVersion(command, mergeOptions(command, OLDEST, options as OptionMap));

  /**
   * Full info. Before the version is known, `info` starts at once, built against the oldest catalogue. When every
   * release builds that same command (no option whose existence or rendering depends on the version), the version is
   * not needed and not detected; otherwise it is detected beside the running `info`, and if the detected version
   * builds a different command, that one runs instead.
   */
  const fullInfo = async (options: object, ownCall: RunOptions): Promise<Info> => {
    const call = withClientSignal(ownCall);
    const limits = limitsOf(call, settings.timeout);
    const infoOptions = { ...options, output: 'json' };
    const parsers = infoParsers();
    if (known) {
      const result = await executeWithin(buildFor(known.version, 'info', infoOptions, []), call, limits);
      return (await parsers).parseInfo(result.stdout);
    }
    let early: PgBackRestCommand | undefined;
    try {
      early = buildFor(OLDEST, 'info', infoOptions, []);
    } catch {
      early = undefined;
    }
    const cancelEarly = new AbortController();
    const earlySignal =
      call.signal === undefined ? cancelEarly.signal : AbortSignal.any([call.signal, cancelEarly.signal]);
    const running = early === undefined ? undefined : executeWithin(early, call, limits, earlySignal);
    running?.catch(() => undefined);
    parsers.catch(() => undefined);
    if (running !== undefined && alikeForEveryVersion('info', infoOptions)) {
      const result = await running;
      return (await parsers).parseInfo(result.stdout);
    }
    let exact: PgBackRestCommand;
    try {
      exact = buildFor((await versionWithin(limits)).version, 'info', infoOptions, []);
    } catch (error) {
      cancelEarly.abort();
      throw error;
    }
    if (running === undefined || early === undefined || !sameInvocation(early, exact)) {
      cancelEarly.abort();
      const result = await executeWithin(exact, call, limits);
      return (await parsers).parseInfo(result.stdout);
    }
    const result = await running;
    return (await parsers).parseInfo(result.stdout);
  };

  return {
    stanza: settings.stanza,
    transport: settings.transport ?? { kind: 'local' },
    version: (call = {}) => versionWithin(limitsOf(withClientSignal(call), settings.timeout)),
    build: (command, options, parameters, call) => build(command, options, parameters, call),
    render: async (command, options, parameters, call) => render(await build(command, options, parameters, call)),
    run: (command, options, call, parameters) => run(command, options, call, parameters),
    backup: (options = {}, call) => run('backup', options, call),
    restore: (options = {}, call) => run('restore', options, call),
    info: (async (
      options: InfoCallOptions & { readonly detailLevel?: 'full' | 'progress' } = {},
      ownCall: RunOptions = {},
    ): Promise<Info | InfoProgress> => {
      const { detailLevel, ...rest } = options;
      if (detailLevel !== 'progress') return fullInfo(rest, ownCall);
      const call = withClientSignal(ownCall);
      const limits = limitsOf(call, settings.timeout);
      const detected = (await versionWithin(limits)).version;
      if (!supportsInfoProgress(detected)) {
        throw new PgBackRestConfigurationError(
          `info({ detailLevel: 'progress' }) needs pgBackRest ${INFO_PROGRESS_SINCE} or newer (info --detail-level=progress); ` +
            `this is pgBackRest ${detected}: call info() instead, whose full report carries the same locks and progress`,
          { option: 'detail-level' },
        );
      }
      const parsers = infoParsers();
      const command = buildFor(detected, 'info', { ...rest, output: 'json', 'detail-level': 'progress' }, []);
      const result = await executeWithin(command, call, limits);
      return (await parsers).parseInfoProgress(result.stdout);
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
    archiveGet: async (walSegment, destination, options = {}, call = {}) => {
      const accepted = { ...call, acceptExitCodes: [1, ...(call.acceptExitCodes ?? [])] };
      const result = await run('archive-get', options, accepted, [walSegment, destination]);
      return result.exitCode === 0;
    },
  };
}
