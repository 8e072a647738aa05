import { catalogueFor } from '../catalogue/index.js';
import { envNameOf } from '../commands/build-command.js';
import { parseSize } from '../config/lint/value-grammar.js';
import type { CompileNote, ConfigGroup, ConfigSections, SecretBinding } from './compile-types.js';
import { DEFAULT_COMPRESSION, RECOMMENDED_START_FAST } from './compression-defaults.js';
import { formatIssuePath, PolicyValidationError } from './errors.js';
import { scheduleRunsBetween } from './next-runs.js';
import type { Policy, PolicyRepository, PolicySchedule } from './schema.js';
import type { SecretRef } from './secret-ref.js';
import { durationSeconds } from './units.js';

const DAY_MS = 86_400_000;

/** A policy size in bytes, as pgBackRest reads it; validation lets only such sizes through. */
function bytes(size: string): string {
  const value = parseSize(size);
  if (value === undefined) throw new RangeError(`"${size}" is not a size pgBackRest accepts`);
  return String(value);
}
/** Fixed reference instant for schedule arithmetic, so compiled output does not depend on the clock. */
const REFERENCE = new Date(Date.UTC(2030, 0, 7));

interface Collected {
  readonly global: ConfigGroup[];
  readonly archivePush: ConfigGroup[];
  readonly stanza: ConfigGroup[];
  readonly secrets: SecretBinding[];
  readonly notes: CompileNote[];
}

/**
 * The most runs of the given schedules that fall in any window of `days` days (over four reference weeks).
 *
 * @example
 * maxRunsInWindow([{ cron: '0 2 * * *', timeZone: 'UTC' }], 7); // 7
 */
export function maxRunsInWindow(schedules: readonly PolicySchedule[], days: number): number {
  const until = new Date(REFERENCE.getTime() + (28 + days) * DAY_MS);
  const times = schedules
    .flatMap((schedule) => scheduleRunsBetween(schedule, REFERENCE, until).map((run) => run.getTime()))
    .sort((a, b) => a - b);
  let best = 0;
  let end = 0;
  for (let start = 0; start < times.length; start++) {
    const windowEnd = (times[start] ?? 0) + days * DAY_MS;
    if ((times[start] ?? 0) >= REFERENCE.getTime() + 28 * DAY_MS) break;
    while (end < times.length && (times[end] ?? 0) < windowEnd) end++;
    best = Math.max(best, end - start);
  }
  return best;
}

function describeSource(ref: SecretRef): string {
  return 'env' in ref ? `environment variable ${ref.env}` : `file ${ref.file}`;
}

function repoLocation(
  repo: PolicyRepository,
  n: number,
  bind: (option: string, ref: SecretRef) => void,
): [string, string][] {
  const p = `repo${n}-`;
  const entries: [string, string][] = [[`${p}type`, repo.type]];
  switch (repo.type) {
    case 'posix':
      entries.push([`${p}path`, repo.path]);
      break;
    case 's3':
      entries.push(
        [`${p}path`, repo.path],
        [`${p}s3-bucket`, repo.bucket],
        [`${p}s3-region`, repo.region],
        [`${p}s3-endpoint`, repo.endpoint ?? `s3.${repo.region}.amazonaws.com`],
      );
      if (repo.port !== undefined) entries.push([`${p}storage-port`, String(repo.port)]);
      if (repo.uriStyle) entries.push([`${p}s3-uri-style`, repo.uriStyle]);
      if (repo.verifyTls !== undefined) entries.push([`${p}storage-verify-tls`, repo.verifyTls ? 'y' : 'n']);
      entries.push([`${p}s3-key-type`, repo.credentials.type]);
      if (repo.credentials.type === 'shared') {
        bind(`${p}s3-key`, repo.credentials.accessKeyId);
        bind(`${p}s3-key-secret`, repo.credentials.secretAccessKey);
      }
      break;
    case 'gcs':
      entries.push([`${p}path`, repo.path], [`${p}gcs-bucket`, repo.bucket]);
      if (repo.endpoint) entries.push([`${p}gcs-endpoint`, repo.endpoint]);
      entries.push([`${p}gcs-key-type`, repo.credentials.type]);
      if (repo.credentials.type === 'service') entries.push([`${p}gcs-key`, repo.credentials.keyFile]);
      if (repo.credentials.type === 'token') bind(`${p}gcs-key`, repo.credentials.token);
      break;
    case 'azure':
      entries.push(
        [`${p}path`, repo.path],
        [`${p}azure-account`, repo.account],
        [`${p}azure-container`, repo.container],
        [`${p}azure-key-type`, repo.keyType],
      );
      if (repo.endpoint) entries.push([`${p}azure-endpoint`, repo.endpoint]);
      bind(`${p}azure-key`, repo.key);
      break;
    case 'sftp':
      entries.push(
        [`${p}path`, repo.path],
        [`${p}sftp-host`, repo.host],
        [`${p}sftp-host-user`, repo.user],
        [`${p}sftp-private-key-file`, repo.privateKeyFile],
        [`${p}sftp-host-key-hash-type`, repo.hostKeyHashType],
      );
      if (repo.port !== undefined) entries.push([`${p}sftp-host-port`, String(repo.port)]);
      if (repo.publicKeyFile) entries.push([`${p}sftp-public-key-file`, repo.publicKeyFile]);
      if (repo.privateKeyPassphrase) bind(`${p}sftp-private-key-passphrase`, repo.privateKeyPassphrase);
      break;
  }
  return entries;
}

function repoRetention(
  policy: Policy,
  repo: PolicyRepository,
  index: number,
  notes: CompileNote[],
): [string, string][] {
  const p = `repo${index + 1}-`;
  const path = `repositories[${index}].retention`;
  const entries: [string, string][] = [];
  const { full, diff, archive } = repo.retention;
  if (full.days !== undefined) {
    entries.push([`${p}retention-full-type`, 'time'], [`${p}retention-full`, String(full.days)]);
    notes.push({
      code: 'retention.full-time',
      path: `${path}.full`,
      message: `repository "${repo.name}": full backups kept ${full.days} days → ${p}retention-full-type=time, ${p}retention-full=${full.days}. pgBackRest expires a full only once a newer full is itself ${full.days} days old, so the previous full (and the WAL it needs) stays until then: expect up to two fulls of storage.`,
    });
  } else if (full.count !== undefined) {
    entries.push([`${p}retention-full-type`, 'count'], [`${p}retention-full`, String(full.count)]);
  }
  if (diff?.count !== undefined) {
    entries.push([`${p}retention-diff`, String(diff.count)]);
  } else if (diff?.days !== undefined) {
    const schedules = [policy.schedule.full, policy.schedule.diff].filter((s): s is PolicySchedule => s !== undefined);
    const count = Math.max(1, maxRunsInWindow(schedules, diff.days));
    entries.push([`${p}retention-diff`, String(count)]);
    notes.push({
      code: 'retention.diff-days-as-count',
      path: `${path}.diff`,
      message: `repository "${repo.name}": pgBackRest keeps differential backups by count, not by days. The full and differential schedules run at most ${count} backups in any ${diff.days} days (full backups count as differentials), so ${p}retention-diff=${count} keeps at least ${diff.days} days of differentials while the schedule holds.`,
    });
    if (!policy.schedule.diff) {
      notes.push({
        code: 'retention.diff-without-schedule',
        path: `${path}.diff`,
        message: `repository "${repo.name}": differential retention is set but no differential schedule exists; only full backups count.`,
      });
    }
  }
  if (archive) {
    entries.push([`${p}retention-archive-type`, archive.type], [`${p}retention-archive`, String(archive.count)]);
  }
  if (policy.schedule.incr) {
    notes.push({
      code: 'retention.incr-follows-prior',
      path: `${path}`,
      message: `repository "${repo.name}": pgBackRest has no retention for incremental backups; they expire with the full or differential they depend on.`,
    });
  }
  return entries;
}

/**
 * Builds the pgbackrest.conf sections, the secret bindings and the notes of a policy, checking every option
 * name and value against the option catalogue of the target pgBackRest version.
 *
 * @throws PolicyValidationError when the target pgBackRest version lacks an option the policy needs.
 * @example
 * const { global, stanza, secrets, notes } = compileConfig(policy, '2.45');
 */
export function compileConfig(
  policy: Policy,
  version: string,
): ConfigSections & { secrets: SecretBinding[]; notes: CompileNote[] } {
  const collected: Collected = { global: [], archivePush: [], stanza: [], secrets: [], notes: [] };
  const { notes, secrets } = collected;

  const compression = policy.compression ?? DEFAULT_COMPRESSION;
  if (!policy.compression) {
    notes.push({
      code: 'compression.default',
      path: 'compression',
      message: `no compression set: using the measured default compress-type=${DEFAULT_COMPRESSION.type} (gz beat zst to an S3 repository here; lz4 is faster but compresses about half as well).`,
    });
  }
  const startFast = policy.backup?.startFast ?? RECOMMENDED_START_FAST;
  const general: [string, string][] = [['compress-type', compression.type]];
  if (compression.level !== undefined) general.push(['compress-level', String(compression.level)]);
  general.push(['start-fast', startFast ? 'y' : 'n']);
  if (!startFast) {
    notes.push({
      code: 'backup.start-fast-off',
      path: 'backup.startFast',
      message:
        'start-fast=n: each backup waits for the next scheduled checkpoint (minutes on a busy database). start-fast=y is recommended.',
    });
  }
  if (policy.backup?.processMax !== undefined) general.push(['process-max', String(policy.backup.processMax)]);
  collected.global.push({ comment: 'Backups', entries: general });

  const archiving: [string, string][] = [['archive-async', policy.archiving.async ? 'y' : 'n']];
  if (policy.archiving.spoolPath) archiving.push(['spool-path', policy.archiving.spoolPath]);
  if (policy.archiving.pushQueueMax) archiving.push(['archive-push-queue-max', bytes(policy.archiving.pushQueueMax)]);
  if (policy.archiving.getQueueMax) archiving.push(['archive-get-queue-max', bytes(policy.archiving.getQueueMax)]);
  if (policy.archiving.timeout) archiving.push(['archive-timeout', String(durationSeconds(policy.archiving.timeout))]);
  collected.global.push({ comment: 'WAL archiving', entries: archiving });
  if (policy.archiving.processMax !== undefined) {
    collected.archivePush.push({
      comment: 'Parallel WAL push',
      entries: [['process-max', String(policy.archiving.processMax)]],
    });
  }
  if (policy.archiving.async && !policy.archiving.spoolPath) {
    notes.push({
      code: 'archiving.spool-path-default',
      path: 'archiving.spoolPath',
      message:
        'asynchronous archiving uses the spool path; none set, so pgBackRest uses its default (/var/spool/pgbackrest): make sure it exists and belongs to the postgres user.',
    });
  }

  policy.repositories.forEach((repo, index) => {
    const n = index + 1;
    const bind = (option: string, source: SecretRef) => {
      secrets.push({ option, env: envNameOf(option), source, repository: repo.name });
    };
    const entries = repoLocation(repo, n, bind);
    entries.push(...repoRetention(policy, repo, index, notes));
    const cipher = repo.encryption?.cipher ?? policy.encryption.cipher;
    entries.push([`repo${n}-cipher-type`, cipher]);
    const passphrase = repo.encryption?.passphrase ?? policy.encryption.passphrase;
    if (cipher !== 'none' && passphrase) bind(`repo${n}-cipher-pass`, passphrase);
    const where = repo.offsite ? 'off-site' : 'on-site';
    collected.global.push({ comment: `repo${n}: "${repo.name}" (${repo.type}, ${where})`, entries });
  });
  if (policy.repositories.length > 1) {
    notes.push({
      code: 'backup.per-repository',
      message: `pgBackRest backs up to one repository per run (--repo, default repo1): the schedules run one backup per repository (${policy.repositories.map((_repo, i) => `repo${i + 1}`).join(', ')}); WAL is archived to every repository.`,
    });
  }

  const pg: [string, string][] = [['pg1-path', policy.database.path]];
  if (policy.database.port !== undefined) pg.push(['pg1-port', String(policy.database.port)]);
  if (policy.database.socketPath) pg.push(['pg1-socket-path', policy.database.socketPath]);
  if (policy.database.user) pg.push(['pg1-user', policy.database.user]);
  collected.stanza.push({ comment: 'PostgreSQL cluster', entries: pg });

  checkAgainstCatalogue(collected, version);
  for (const secret of secrets) {
    notes.push({
      code: 'secrets.runtime',
      message: `${secret.option} is not written to pgbackrest.conf: the scheduled jobs export ${secret.env} from ${describeSource(secret.source)}.`,
    });
  }
  return collected;
}

function checkAgainstCatalogue(collected: Collected, version: string): void {
  const catalogue = catalogueFor(version);
  const problems: { path: string; message: string }[] = [];
  const check = (name: string, value: string | undefined) => {
    const resolved = catalogue.option(name);
    if (!resolved || resolved.deprecatedName) {
      problems.push({
        path: formatIssuePath(['pgbackrest', name]),
        message: `pgBackRest ${version} has no option ${name} (catalogue ${catalogue.version}): compile for a newer pgBackRest or change the policy`,
      });
      return;
    }
    const allowed = resolved.definition.allowList;
    if (value !== undefined && allowed && !allowed.includes(value)) {
      problems.push({
        path: formatIssuePath(['pgbackrest', name]),
        message: `pgBackRest ${version} does not accept ${name}=${value}: allowed ${allowed.join(', ')}`,
      });
    }
  };
  for (const group of [...collected.global, ...collected.archivePush, ...collected.stanza])
    for (const [name, value] of group.entries) check(name, value);
  for (const secret of collected.secrets) check(secret.option, undefined);
  if (problems.length > 0) throw new PolicyValidationError(problems);
}
