import type { S3Endpoint } from './s3-endpoint.js';

/** Options of one repository, keyed without the `repoN-` prefix (`{ 'retention-full': '2' }`). */
export type RepoOptionValues = Readonly<Record<string, string>>;

/** A repository on a filesystem path of the stack (a host temp dir, bind-mounted into containers). */
export interface PosixRepoSpec {
  readonly type: 'posix';
  /** Encrypt with aes-256-cbc, using `cipherPass` or the stack's `cipherPass`. */
  readonly encrypted?: boolean;
  readonly cipherPass?: string;
  readonly options?: RepoOptionValues;
}

/** A repository on an S3 endpoint (see `startS3Endpoint`). */
export interface S3RepoSpec {
  readonly type: 's3';
  readonly endpoint: S3Endpoint;
  /** Key prefix in the bucket. Default `/<stanza>-<random>` so stacks never share a repository. */
  readonly path?: string;
  readonly encrypted?: boolean;
  readonly cipherPass?: string;
  readonly options?: RepoOptionValues;
}

/** A repository to configure in a test stack: `repos[0]` becomes `repo1`. */
export type RepoSpec = PosixRepoSpec | S3RepoSpec;

/** A repository as configured in a running stack. */
export interface StackRepo {
  /** pgBackRest's repository index (`repo<index>-…`). */
  readonly index: number;
  readonly type: 'posix' | 's3';
  /** `repoN-path`: a directory inside the stack (posix) or a key prefix (s3). */
  readonly path: string;
  /** Posix repositories only: the same directory as seen from the host running the tests. */
  readonly hostPath?: string;
  readonly encrypted: boolean;
}

/** A repository spec with its `repoN-path` decided. */
export interface ResolvedRepo {
  readonly spec: RepoSpec;
  readonly path: string;
}

/**
 * Decides each repository's path: posix repositories get `posixRoot/repo<N>` (a host directory,
 * the same path inside containers), S3 repositories their own `path` or `/<stanza>`.
 *
 * @example
 * resolveRepos([{ type: 'posix' }], 'demo', '/tmp/stack').repos[0]; // { index: 1, type: 'posix', path: '/tmp/stack/repo1', … }
 */
export function resolveRepos(
  specs: readonly RepoSpec[],
  stanza: string,
  posixRoot: string,
): { readonly resolved: readonly ResolvedRepo[]; readonly repos: readonly StackRepo[] } {
  const resolved = specs.map((spec, i) => ({
    spec,
    path: spec.type === 'posix' ? `${posixRoot}/repo${i + 1}` : (spec.path ?? `/${stanza}`),
  }));
  const repos = resolved.map(({ spec, path }, i) => ({
    index: i + 1,
    type: spec.type,
    path,
    ...(spec.type === 'posix' ? { hostPath: path } : {}),
    encrypted: spec.cipherPass !== undefined || spec.encrypted === true,
  }));
  return { resolved, repos };
}

/** Everything needed to write a stack's pgbackrest.conf and its secret environment. */
export interface StackConfigInput {
  readonly stanza: string;
  readonly pgDataPath: string;
  readonly pgPort: number;
  readonly pgSocketPath: string;
  /** Directory for lock, log and spool files, private to this stack. */
  readonly statePath: string;
  /** Resolved repositories, in index order, each with its posix path when posix. */
  readonly repos: readonly ResolvedRepo[];
  readonly cipherPass?: string | undefined;
  /** Extra `[global]` options (`{ 'compress-type': 'lz4', 'start-fast': 'y' }`). */
  readonly globalOptions?: Readonly<Record<string, string>> | undefined;
}

/** A rendered stack configuration: the file text and the secrets that must travel by environment. */
export interface StackConfig {
  readonly configText: string;
  /** `PGBACKREST_REPO<N>_CIPHER_PASS`, `PGBACKREST_REPO<N>_S3_KEY`, … (never argv, never the file). */
  readonly secretEnv: Readonly<Record<string, string>>;
}

const optionName = /^[a-z][a-z0-9-]*$/;

function checkOptions(where: string, options: Readonly<Record<string, string>>): void {
  for (const [name, value] of Object.entries(options)) {
    if (!optionName.test(name)) throw new Error(`${where}: '${name}' is not a pgBackRest option name`);
    if (/[\r\n]/.test(value)) throw new Error(`${where}: the value of '${name}' must be one line`);
    if (/cipher-pass|s3-key|token/.test(name)) {
      throw new Error(`${where}: '${name}' is a secret; pass it as cipherPass or through the S3 endpoint`);
    }
  }
}

/**
 * Renders pgbackrest.conf for a test stack. Secrets (cipher passphrases, S3 keys) are returned
 * separately as environment variables and never written to the file.
 *
 * @example
 * const { configText, secretEnv } = renderStackConfig({
 *   stanza: 'demo', pgDataPath: '/var/lib/chronos/pgdata', pgPort: 5433, pgSocketPath: '/var/lib/chronos/run',
 *   statePath: '/var/lib/chronos/state', repos: [{ spec: { type: 'posix' }, path: '/var/lib/chronos/repo1' }],
 * });
 */
export function renderStackConfig(input: StackConfigInput): StackConfig {
  if (!/^[A-Za-z0-9_.-]+$/.test(input.stanza)) throw new Error(`stanza '${input.stanza}' must match [A-Za-z0-9_.-]+`);
  if (input.repos.length === 0) throw new Error('a test stack needs at least one repository');
  const global: Array<[string, string]> = [
    ['lock-path', `${input.statePath}/lock`],
    ['log-path', `${input.statePath}/log`],
    ['spool-path', `${input.statePath}/spool`],
    ['log-level-file', 'detail'],
    ['log-level-console', 'off'],
    ['log-level-stderr', 'warn'],
  ];
  const secretEnv: Record<string, string> = {};
  input.repos.forEach(({ spec, path }, i) => {
    const index = i + 1;
    const p = `repo${index}`;
    if (spec.type === 's3') {
      global.push(...Object.entries(spec.endpoint.repoOptions(index, path)));
      Object.assign(secretEnv, spec.endpoint.repoSecretEnv(index));
    } else {
      global.push([`${p}-type`, 'posix'], [`${p}-path`, path]);
    }
    const pass = spec.cipherPass ?? (spec.encrypted ? input.cipherPass : undefined);
    if (spec.encrypted && pass === undefined) {
      throw new Error(`repo${index} is encrypted but has no passphrase: give the repo or the stack a cipherPass`);
    }
    if (pass !== undefined) {
      if (pass.length === 0) throw new Error(`repo${index}: the cipher passphrase must not be empty`);
      global.push([`${p}-cipher-type`, 'aes-256-cbc']);
      secretEnv[`PGBACKREST_REPO${index}_CIPHER_PASS`] = pass;
    }
    const extra = spec.options ?? {};
    checkOptions(`repo${index} options`, extra);
    for (const [name, value] of Object.entries(extra)) global.push([`${p}-${name}`, value]);
  });
  const globalOptions = input.globalOptions ?? {};
  checkOptions('stack options', globalOptions);
  global.push(...Object.entries(globalOptions));

  const lines = ['[global]', ...global.map(([k, v]) => `${k}=${v}`), '', `[${input.stanza}]`];
  lines.push(`pg1-path=${input.pgDataPath}`, `pg1-port=${input.pgPort}`, `pg1-socket-path=${input.pgSocketPath}`, '');
  return { configText: lines.join('\n'), secretEnv };
}

/** Values for postgresql.conf settings: numbers and booleans are written bare, strings quoted. */
export type PgSettings = Readonly<Record<string, string | number | boolean>>;

/** Input of {@link renderPostgresSettings}. */
export interface PostgresSettingsInput {
  readonly port: number;
  readonly socketPath: string;
  /** The archive_command; `%p` is left for PostgreSQL. */
  readonly archiveCommand: string;
  readonly settings?: PgSettings | undefined;
}

function quoteSetting(value: string | number | boolean): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 'on' : 'off';
  return `'${value.replaceAll("'", "''")}'`;
}

/**
 * Renders the postgresql.conf lines a test stack appends: loopback only, WAL archived through
 * pgBackRest, then the caller's settings (which win).
 *
 * @example
 * renderPostgresSettings({ port: 5433, socketPath: '/tmp/s', archiveCommand: 'pgbackrest --stanza=demo archive-push %p' });
 */
export function renderPostgresSettings(input: PostgresSettingsInput): string {
  const settings: Record<string, string | number | boolean> = {
    listen_addresses: '127.0.0.1',
    port: input.port,
    unix_socket_directories: input.socketPath,
    wal_level: 'replica',
    archive_mode: true,
    archive_command: input.archiveCommand,
    max_wal_senders: 3,
    fsync: false,
    full_page_writes: true,
    shared_buffers: '64MB',
    ...input.settings,
  };
  for (const name of Object.keys(settings)) {
    if (!/^[a-z_][a-z0-9_.]*$/.test(name)) throw new Error(`'${name}' is not a PostgreSQL setting name`);
  }
  return Object.entries(settings)
    .map(([name, value]) => `${name} = ${quoteSetting(value)}`)
    .join('\n')
    .concat('\n');
}
