import { randomBytes } from 'node:crypto';
import { request as httpsRequest } from 'node:https';
import { catalogueFor } from '../catalogue/catalogue.js';
import type { AnyCommandOptions } from '../catalogue/options.generated.js';
import { createPgBackRest } from '../client/pgbackrest-client.js';
import { buildCommand, type OptionMap } from '../commands/build-command.js';
import { type ConfigDocument, getOption, lintConfig, parseConfigFile } from '../config/index.js';
import { execute } from '../exec/executor.js';
import { runProcess } from '../exec/process.js';
import type { Transport } from '../exec/transport.js';
import { runOnTransport } from '../exec/transport-run.js';
import type { Info } from '../info/types.js';
import type { Policy } from '../policy/schema.js';
import { detectVersion } from '../version/detect-version.js';
import { type ClockReading, judgeClockSkew, judgeScheduleZone, parseZoneProbe, ZONE_PROBE_SCRIPT } from './clock.js';
import {
  FIELD_SEPARATOR,
  judgeArchiveCommand,
  judgeArchiveMode,
  judgeArchiver,
  judgeSystemId,
  POSTGRES_FACTS_SQL,
  type PostgresFacts,
  parsePostgresFacts,
} from './judge.js';
import type { DoctorCheck, DoctorReport } from './types.js';

/** Options of {@link runDoctor}. */
export interface DoctorOptions {
  readonly stanza: string;
  /** Where pgBackRest runs (and PostgreSQL is reached from). Default: locally as the current user. */
  readonly transport?: Transport;
  /** pgBackRest binary there. Default `pgbackrest`. */
  readonly bin?: string;
  /** pgbackrest.conf there. Default `/etc/pgbackrest/pgbackrest.conf`. */
  readonly config?: string;
  /** pgBackRest options for its commands, secrets included (they travel as `PGBACKREST_*` env, never argv). */
  readonly options?: Partial<AnyCommandOptions>;
  /**
   * The policy the deployment was compiled from: its schedules' time zones are checked against the zone of the
   * machine whose cron runs them (this one for the docker and ssh runtimes, the transport's for `host`).
   */
  readonly policy?: Pick<Policy, 'schedule' | 'runtime'>;
  /** Milliseconds each probe may take. Default 60 s. */
  readonly timeout?: number;
  readonly signal?: AbortSignal;
}

const DEFAULT_CONFIG = '/etc/pgbackrest/pgbackrest.conf';

interface Probe {
  readonly exitCode: number | undefined;
  readonly stdout: string;
  readonly stderr: string;
}

function firstLine(text: string): string {
  return (
    text
      .split('\n')
      .map((l) => l.trim())
      .find((l) => l !== '') ?? ''
  );
}

/** Whether a directory over there is `writable`, `read-only` or `missing` for the user the transport runs as. */
async function directoryState(there: There, path: string): Promise<string> {
  const probe = await there('sh', [
    '-c',
    'if [ -d "$1" ]; then [ -w "$1" ] && echo writable || echo read-only; else echo missing; fi',
    'sh',
    path,
  ]);
  return probe.stdout.trim();
}

function who(transport: Transport): string {
  if (transport.kind === 'docker') return `${transport.user ?? 'postgres'} in container ${transport.container}`;
  if (transport.kind === 'ssh') return `${transport.user ?? 'the ssh user'} on ${transport.host}`;
  return transport.runAs?.user ?? process.env['USER'] ?? 'the current user';
}

/**
 * Runs the troubleshooting list of a pgBackRest deployment as checks against the live system, through any transport
 * (local, `docker exec`, ssh): pgBackRest reachable and its version; pgbackrest.conf linted for that version;
 * PostgreSQL reachable with the stanza's `pg1-*` settings and `pg1-database` existing; `archive_mode` on and
 * `archive_command` pushing to this stanza, a pending restart, the archiver's last archived and failed WAL; the
 * cluster's system id against the repository's (naming both and the choices when they differ); each repository
 * reachable and writable (an empty object put with pgBackRest's `repo-put` and removed with `repo-rm`, where the
 * version has them); the clock where pgBackRest runs against each S3 endpoint's `Date` header; lock, log and spool
 * paths writable; with `policy`, the schedules' time zone against the zone of the machine whose cron runs them. Each
 * check is ok, warn, fail (with its fix) or skip (an earlier failure made it moot).
 *
 * @example
 * const report = await runDoctor({ stanza: 'chronos', transport: { kind: 'docker', container: 'chronos-db' } });
 * for (const check of report.checks) console.log(check.status, check.title, check.detail, check.fix ?? '');
 */
export async function runDoctor(options: DoctorOptions): Promise<DoctorReport> {
  const transport = options.transport ?? { kind: 'local' };
  const timeout = options.timeout ?? 60_000;
  const stanza = options.stanza;
  const checks: DoctorCheck[] = [];

  const there = async (file: string, args: readonly string[], env: Record<string, string> = {}): Promise<Probe> => {
    const result = await runOnTransport({ file, args: [...args], env }, transport, {
      timeout,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    const stdout = result.stdout;
    const stderr = result.failedToSpawn ? `${result.stderr}${result.failedToSpawn.message}` : result.stderr;
    return { exitCode: result.timedOut ? undefined : result.exitCode, stdout, stderr };
  };

  let version: string;
  try {
    const detected = await detectVersion({
      transport,
      timeout,
      ...(options.bin === undefined ? {} : { bin: options.bin }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    version = detected.version;
    checks.push({ id: 'pgbackrest', title: 'pgBackRest reachable', status: 'ok', detail: `pgBackRest ${version}` });
  } catch (error) {
    checks.push({
      id: 'pgbackrest',
      title: 'pgBackRest reachable',
      status: 'fail',
      detail: firstLine(error instanceof Error ? error.message : String(error)),
      fix:
        transport.kind === 'docker'
          ? `Start container ${transport.container} (docker ps) and install pgBackRest in it; the user ${transport.user ?? 'postgres'} must exist there.`
          : transport.kind === 'ssh'
            ? `Check key-based ssh to ${transport.host} (ssh -o BatchMode=yes) and that pgbackrest is on its PATH.`
            : 'Install pgBackRest (apt-get install pgbackrest) or pass its path.',
    });
    return { stanza, checks, verdict: 'unreachable' };
  }

  const configPath = options.config ?? DEFAULT_CONFIG;
  const read = await there('cat', [configPath]);
  let doc: ConfigDocument | undefined;
  if (read.exitCode !== 0) {
    checks.push({
      id: 'config',
      title: 'pgbackrest.conf',
      status: 'fail',
      detail: `cannot read ${configPath} as ${who(transport)}: ${firstLine(read.stderr)}`,
      fix: `Create ${configPath} (chronos policy compile --format conf) readable by ${who(transport)}, or pass --config.`,
    });
  } else {
    doc = parseConfigFile(read.stdout);
    checks.push(configCheck(read.stdout, doc, configPath, stanza, version));
  }
  const setting = (name: string): string | undefined => {
    if (doc === undefined) return undefined;
    const value = getOption(doc, stanza, name) ?? getOption(doc, 'global', name);
    return Array.isArray(value) ? value[0] : value;
  };

  const facts = await postgresChecks(there, setting, stanza, checks, transport);
  if (facts) checks.push(judgeArchiveMode(facts), judgeArchiveCommand(facts, stanza), judgeArchiver(facts));
  else {
    for (const [id, title] of [
      ['archive.mode', 'archive_mode on'],
      ['archive.command', `archive_command pushes to stanza ${stanza}`],
      ['archive.archiver', 'WAL archiver'],
    ] as const) {
      checks.push({ id, title, status: 'skip', detail: 'PostgreSQL could not be queried' });
    }
  }

  const client = createPgBackRest({
    stanza,
    transport,
    version,
    timeout,
    ...(options.bin === undefined ? {} : { bin: options.bin }),
    ...(options.config === undefined ? {} : { config: options.config }),
    ...(options.options === undefined ? {} : { options: options.options }),
  });
  let info: Info | undefined;
  let infoError = '';
  try {
    info = await client.info(undefined, options.signal === undefined ? {} : { signal: options.signal });
  } catch (error) {
    infoError = firstLine(error instanceof Error ? error.message : String(error));
  }
  const stanzaInfo = info?.find((s) => s.name === stanza);
  if (facts) {
    const current = [...(stanzaInfo?.db ?? [])].sort((a, b) => b.id - a.id)[0];
    checks.push(
      judgeSystemId(
        facts,
        current === undefined ? undefined : { systemId: current['system-id'], pgVersion: current.version },
        stanza,
      ),
    );
  } else {
    checks.push({
      id: 'system-id',
      title: 'database system id matches the repository',
      status: 'skip',
      detail: 'PostgreSQL could not be queried',
    });
  }

  const probe: WriteProbe = async (index) => {
    const extra: OptionMap = Object.fromEntries(
      Object.entries(options.options ?? {}).filter(([name]) => name.startsWith(`repo${index}-`)),
    );
    const run = async (command: string, raw: boolean, name: string) => {
      const built = buildCommand(
        command,
        {
          ...extra,
          stanza,
          repo: index,
          ...(raw ? { raw: true } : {}),
          ...(options.config === undefined ? {} : { config: options.config }),
        },
        { version, ...(options.bin === undefined ? {} : { bin: options.bin }) },
        [name],
      );
      await execute(built, {
        transport,
        timeout,
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      });
    };
    return writeProbe(version, run);
  };
  for (const index of repoIndexes(doc)) {
    checks.push(await repoCheck(index, setting, stanzaInfo, infoError, there, transport, probe));
    if (setting(`repo${index}-type`) === 's3') checks.push(await clockCheck(index, setting, there, transport, timeout));
  }
  checks.push(...(await pathChecks(setting, there, transport)));
  if (options.policy) checks.push(await zoneCheck(options.policy, there, transport, timeout));

  return {
    stanza,
    pgbackrestVersion: version,
    checks,
    verdict: checks.some((c) => c.status === 'fail') ? 'fail' : 'ok',
  };
}

function configCheck(text: string, doc: ConfigDocument, path: string, stanza: string, version: string): DoctorCheck {
  const title = `pgbackrest.conf linted for pgBackRest ${version}`;
  const lint = lintConfig(text, { version });
  const hasStanza = doc.lines.some((l) => l.kind === 'option' && l.section === stanza);
  const shown = (severity: string) =>
    lint.findings
      .filter((f) => f.severity === severity)
      .slice(0, 3)
      .map((f) => `line ${f.line}: ${f.message}`)
      .join('; ');
  if (!hasStanza) {
    return {
      id: 'config',
      title,
      status: 'fail',
      detail: `${path} has no [${stanza}] section`,
      fix: `Add a [${stanza}] section with pg1-path (chronos policy compile --format conf), or pass the right --stanza.`,
    };
  }
  if (lint.errors > 0) {
    return {
      id: 'config',
      title,
      status: 'fail',
      detail: `${lint.errors} error(s): ${shown('error')}`,
      fix: `Run chronos config lint ${path} --pgbackrest-version ${version} and apply each finding's fix.`,
    };
  }
  if (lint.warnings > 0) {
    return {
      id: 'config',
      title,
      status: 'warn',
      detail: `${lint.warnings} warning(s): ${shown('warning')}`,
      fix: `Run chronos config lint ${path} --pgbackrest-version ${version} for the details.`,
    };
  }
  return { id: 'config', title, status: 'ok', detail: `${path}: no errors or warnings` };
}

type There = (file: string, args: readonly string[], env?: Record<string, string>) => Promise<Probe>;
type Setting = (name: string) => string | undefined;

async function postgresChecks(
  there: There,
  setting: Setting,
  stanza: string,
  checks: DoctorCheck[],
  transport: Transport,
): Promise<PostgresFacts | undefined> {
  const host = setting('pg1-host') ?? setting('pg1-socket-path');
  const port = setting('pg1-port') ?? '5432';
  const user = setting('pg1-user');
  const database = setting('pg1-database') ?? 'postgres';
  const connection = [
    ...(host === undefined ? [] : ['-h', host]),
    '-p',
    port,
    ...(user === undefined ? [] : ['-U', user]),
  ];
  const described = `${host === undefined ? 'the default socket' : host}, port ${port}${user === undefined ? '' : `, user ${user}`}`;
  const psql = (db: string, sql: string) =>
    there(
      'psql',
      ['-X', '-A', '-t', '-q', '-v', 'ON_ERROR_STOP=1', '-F', FIELD_SEPARATOR, ...connection, '-d', db, '-c', sql],
      {
        PGCONNECT_TIMEOUT: '10',
      },
    );
  const first = await psql(database, POSTGRES_FACTS_SQL);
  if (first.exitCode === 0) {
    checks.push(
      { id: 'postgres', title: 'PostgreSQL reachable with the pg1-* settings', status: 'ok', detail: described },
      {
        id: 'postgres.database',
        title: 'pg1-database exists',
        status: 'ok',
        detail: `database ${database}${setting('pg1-database') === undefined ? ' (the default)' : ''}`,
      },
    );
    return parseFacts(first, checks);
  }
  const missing = /database "([^"]+)" does not exist/.exec(first.stderr);
  if (missing) {
    const fallback = database === 'postgres' ? 'template1' : 'postgres';
    const second = await psql(fallback, POSTGRES_FACTS_SQL);
    const names = await psql(
      fallback,
      'select string_agg(datname, $$, $$ order by datname) from pg_database where not datistemplate',
    );
    checks.push(
      { id: 'postgres', title: 'PostgreSQL reachable with the pg1-* settings', status: 'ok', detail: described },
      {
        id: 'postgres.database',
        title: 'pg1-database exists',
        status: 'fail',
        detail: `pg1-database=${database} names no database of this cluster${names.exitCode === 0 ? ` (it has: ${names.stdout.trim()})` : ''}`,
        fix: `Set pg1-database in [${stanza}] to an existing database (e.g. postgres), or create ${database}; pgBackRest's backup and check connect to it.`,
      },
    );
    return second.exitCode === 0 ? parseFacts(second, checks) : undefined;
  }
  checks.push(
    {
      id: 'postgres',
      title: 'PostgreSQL reachable with the pg1-* settings',
      status: 'fail',
      detail: `psql as ${who(transport)} via ${described}: ${firstLine(first.stderr) || `exit ${first.exitCode ?? 'timeout'}`}`,
      fix: `Start PostgreSQL, or set pg1-socket-path / pg1-port / pg1-user in [${stanza}] to where it listens.`,
    },
    { id: 'postgres.database', title: 'pg1-database exists', status: 'skip', detail: 'PostgreSQL not reachable' },
  );
  return undefined;
}

function parseFacts(probe: Probe, checks: DoctorCheck[]): PostgresFacts | undefined {
  try {
    return parsePostgresFacts(probe.stdout);
  } catch (error) {
    checks.push({
      id: 'postgres.query',
      title: 'PostgreSQL settings readable',
      status: 'fail',
      detail: error instanceof Error ? error.message : String(error),
      fix: 'Run the doctor as a user that may read pg_settings, pg_control_system() and pg_stat_archiver (e.g. postgres).',
    });
    return undefined;
  }
}

function repoIndexes(doc: ConfigDocument | undefined): number[] {
  const found = new Set<number>();
  for (const line of doc?.lines ?? []) {
    if (line.kind !== 'option') continue;
    const match = /^repo(\d+)-/.exec(line.key);
    if (match) found.add(Number(match[1]));
  }
  return found.size === 0 ? [1] : [...found].sort((a, b) => a - b);
}

/** Writes an empty object through pgBackRest and removes it: undefined when both worked, else what failed. */
type WriteProbe = (
  index: number,
) => Promise<
  { readonly failed: 'put' | 'rm'; readonly error: string; readonly name: string } | 'unsupported' | undefined
>;

async function writeProbe(
  version: string,
  run: (command: string, raw: boolean, name: string) => Promise<void>,
): ReturnType<WriteProbe> {
  if (!catalogueFor(version).command('repo-put')) return 'unsupported';
  const name = `chronos-doctor-${randomBytes(6).toString('hex')}`;
  try {
    await run('repo-put', true, name);
  } catch (error) {
    return { failed: 'put', error: firstLine(error instanceof Error ? error.message : String(error)), name };
  }
  try {
    await run('repo-rm', false, name);
  } catch (error) {
    return { failed: 'rm', error: firstLine(error instanceof Error ? error.message : String(error)), name };
  }
  return undefined;
}

async function repoCheck(
  index: number,
  setting: Setting,
  stanzaInfo: Info[number] | undefined,
  infoError: string,
  there: There,
  transport: Transport,
  probeWrite: WriteProbe,
): Promise<DoctorCheck> {
  const type = setting(`repo${index}-type`) ?? 'posix';
  const path = setting(`repo${index}-path`) ?? '/var/lib/pgbackrest';
  const where = type === 'posix' ? path : `${type} ${setting(`repo${index}-s3-bucket`) ?? ''}${path}`.trim();
  const id = `repo${index}`;
  const title = `repo${index} (${where}) reachable and writable`;
  const storageFix =
    type === 's3'
      ? `Check the S3 credentials (PGBACKREST_REPO${index}_S3_KEY / _S3_KEY_SECRET in pgBackRest's environment), the bucket policy (list, get, put, delete), repo${index}-s3-region, repo${index}-s3-endpoint and TLS (repo${index}-storage-verify-tls, repo${index}-storage-ca-file).`
      : type === 'posix'
        ? `Check that ${path} exists and is writable by ${who(transport)} (chown -R postgres:postgres ${path}).`
        : `Check repo${index}'s credentials, permissions and network.`;
  const posixState = async () => {
    const state = await directoryState(there, path);
    return state === 'writable'
      ? ''
      : `${path} is ${state === 'missing' ? 'missing' : `not writable by ${who(transport)}`}`;
  };
  if (infoError !== '') {
    const posix = type === 'posix' ? await posixState() : '';
    return {
      id,
      title,
      status: 'fail',
      detail: posix === '' ? `pgBackRest info failed: ${infoError}` : posix,
      fix: storageFix,
    };
  }
  const repo = stanzaInfo?.repo?.find((r) => r.key === index);
  const code = repo?.status.code ?? stanzaInfo?.status.code;
  const message = repo?.status.message ?? stanzaInfo?.status.message ?? 'no information';
  if (code !== 0 && code !== 1 && code !== 2) return { id, title, status: 'fail', detail: message, fix: storageFix };

  const written = await probeWrite(index);
  if (written === 'unsupported') {
    const posix = type === 'posix' ? await posixState() : '';
    if (posix !== '') return { id, title, status: 'fail', detail: posix, fix: storageFix };
    const note =
      type === 'posix'
        ? `${path} writable by ${who(transport)}`
        : 'write access not probed (this pgBackRest has no repo-put; chronos check proves it by archiving a WAL segment)';
    return verdictOf(id, title, code, `${message}; ${note}`);
  }
  if (written !== undefined) {
    const posix = type === 'posix' && written.failed === 'put' ? await posixState() : '';
    const what =
      written.failed === 'put'
        ? `pgBackRest could not write to repo${index}`
        : `pgBackRest wrote ${written.name} to repo${index} but could not remove it (expire needs to delete)`;
    return {
      id,
      title,
      status: 'fail',
      detail: `${posix === '' ? '' : `${posix}; `}${what}: ${written.error}`,
      fix: storageFix,
    };
  }
  return verdictOf(id, title, code, `${message}; an object was written and removed through pgBackRest`);
}

function verdictOf(id: string, title: string, code: number, detail: string): DoctorCheck {
  if (code === 2) {
    return { id, title, status: 'warn', detail, fix: 'Take a full backup: chronos backup --type full' };
  }
  if (code === 1) return { id, title, status: 'warn', detail, fix: 'Create the stanza: chronos stanza create' };
  return { id, title, status: 'ok', detail };
}

/** The `Date` header of an unsigned HTTPS request to an S3 endpoint (any answer carries one; no secret is sent). */
function endpointDate(host: string, port: number, timeout: number): Promise<ClockReading> {
  return new Promise((resolve, reject) => {
    const sentMs = Date.now();
    const req = httpsRequest(
      { host, port, method: 'HEAD', path: '/', rejectUnauthorized: false, timeout, servername: host },
      (res) => {
        const receivedMs = Date.now();
        res.resume();
        const date = Date.parse(String(res.headers.date ?? ''));
        if (Number.isNaN(date)) reject(new Error(`no Date header in the answer (HTTP ${res.statusCode})`));
        else resolve({ remoteMs: date, sentMs, receivedMs });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeout} ms`)));
    req.on('error', reject);
    req.end();
  });
}

async function clockCheck(
  index: number,
  setting: Setting,
  there: There,
  transport: Transport,
  timeout: number,
): Promise<DoctorCheck> {
  const host = setting(`repo${index}-storage-host`) ?? setting(`repo${index}-s3-endpoint`) ?? '';
  const port = Number(setting(`repo${index}-storage-port`) ?? '443');
  const endpoint = `${host}:${port}`;
  const id = `clock.repo${index}`;
  const where =
    transport.kind === 'docker'
      ? `container ${transport.container}`
      : transport.kind === 'ssh'
        ? transport.host
        : 'this host';
  const title = `clock of ${where} against the S3 endpoint ${endpoint}`;
  const sentMs = Date.now();
  const date = await there('date', ['-u', '+%s']);
  const receivedMs = Date.now();
  const seconds = Number(date.stdout.trim());
  if (date.exitCode !== 0 || !Number.isInteger(seconds)) {
    return { id, title, status: 'skip', detail: `could not read the clock of ${where}: ${firstLine(date.stderr)}` };
  }
  try {
    const s3 = await endpointDate(host.replace(/^https?:\/\//, ''), port, Math.min(timeout, 15_000));
    return judgeClockSkew({ id, endpoint, where, host: { remoteMs: seconds * 1000, sentMs, receivedMs }, s3 });
  } catch (error) {
    return {
      id,
      title,
      status: 'skip',
      detail: `the endpoint did not answer from this host (${firstLine(error instanceof Error ? error.message : String(error))}); repo${index}'s check covers reachability from pgBackRest`,
    };
  }
}

async function zoneCheck(
  policy: Pick<Policy, 'schedule' | 'runtime'>,
  there: There,
  transport: Transport,
  timeout: number,
): Promise<DoctorCheck> {
  const onHost = policy.runtime === 'host';
  const where = onHost
    ? transport.kind === 'docker'
      ? `container ${transport.container}`
      : transport.kind === 'ssh'
        ? transport.host
        : 'this host'
    : 'this host';
  const probe = onHost
    ? await there('sh', ['-c', ZONE_PROBE_SCRIPT])
    : await runProcess({ file: 'sh', args: ['-c', ZONE_PROBE_SCRIPT], timeout });
  const schedules = Object.entries(policy.schedule)
    .filter((entry): entry is [string, NonNullable<(typeof entry)[1]>] => entry[1] !== undefined)
    .map(([kind, schedule]) => ({ kind, cron: schedule.cron, timeZone: schedule.timeZone }));
  return judgeScheduleZone({
    schedules,
    hostZone: parseZoneProbe(probe.stdout),
    where,
    year: new Date().getUTCFullYear(),
  });
}

async function pathChecks(setting: Setting, there: There, transport: Transport): Promise<DoctorCheck[]> {
  const paths: [string, string, string][] = [['path.lock', 'lock-path', setting('lock-path') ?? '/tmp/pgbackrest']];
  if ((setting('log-level-file') ?? 'info') !== 'off') {
    paths.push(['path.log', 'log-path', setting('log-path') ?? '/var/log/pgbackrest']);
  }
  if (setting('archive-async') === 'y') {
    paths.push(['path.spool', 'spool-path', setting('spool-path') ?? '/var/spool/pgbackrest']);
  }
  const checks: DoctorCheck[] = [];
  for (const [id, option, path] of paths) {
    const state = await directoryState(there, path);
    const title = `${option} ${path} writable`;
    if (state === 'writable') checks.push({ id, title, status: 'ok', detail: `writable by ${who(transport)}` });
    else {
      checks.push({
        id,
        title,
        status: state === 'missing' && option === 'lock-path' ? 'warn' : 'fail',
        detail: state === 'missing' ? `${path} does not exist` : `${path} is not writable by ${who(transport)}`,
        fix: `mkdir -p ${path} && chown postgres:postgres ${path} (as root${transport.kind === 'docker' ? ` in container ${transport.container}` : ''}), or set ${option}.`,
      });
    }
  }
  return checks;
}
