import type { DoctorCheck } from './types.js';

/** PostgreSQL facts the doctor reads with one query. */
export interface PostgresFacts {
  readonly archiveMode: string;
  readonly archiveCommand: string;
  /** Settings changed in the configuration that take effect only after a restart. */
  readonly pendingRestart: readonly string[];
  readonly systemId: string;
  /** `server_version_num`, e.g. `150008`. */
  readonly versionNum: number;
  readonly lastArchivedWal: string;
  readonly lastArchivedTime: Date | undefined;
  readonly lastFailedWal: string;
  readonly lastFailedTime: Date | undefined;
}

/** Field separator of the doctor's query output (ASCII unit separator). */
export const FIELD_SEPARATOR = '\u001f';

/** The query behind {@link PostgresFacts}, one row, fields separated by {@link FIELD_SEPARATOR}. */
export const POSTGRES_FACTS_SQL = [
  'select current_setting($$archive_mode$$), current_setting($$archive_command$$),',
  "coalesce((select string_agg(name, ',' order by name) from pg_settings where pending_restart), ''),",
  '(select system_identifier from pg_control_system())::text, current_setting($$server_version_num$$),',
  "coalesce(last_archived_wal, ''), coalesce(extract(epoch from last_archived_time)::text, ''),",
  "coalesce(last_failed_wal, ''), coalesce(extract(epoch from last_failed_time)::text, '') from pg_stat_archiver",
].join(' ');

function epoch(text: string | undefined): Date | undefined {
  return text === undefined || text === '' ? undefined : new Date(Number(text) * 1000);
}

/**
 * Parses the output of {@link POSTGRES_FACTS_SQL} run with `psql -X -A -t -F <separator>`.
 *
 * @example
 * parsePostgresFacts('on\u001fpgbackrest --stanza=main archive-push %p\u001f\u001f7311…\u001f150008\u001f\u001f\u001f\u001f\n');
 */
export function parsePostgresFacts(stdout: string): PostgresFacts {
  const line = stdout.split('\n').find((l) => l.includes(FIELD_SEPARATOR)) ?? '';
  const f = line.split(FIELD_SEPARATOR);
  if (f.length < 9) throw new Error(`unexpected psql output: ${JSON.stringify(stdout.slice(0, 200))}`);
  return {
    archiveMode: f[0] ?? '',
    archiveCommand: f[1] ?? '',
    pendingRestart: (f[2] ?? '') === '' ? [] : (f[2] ?? '').split(','),
    systemId: f[3] ?? '',
    versionNum: Number(f[4]),
    lastArchivedWal: f[5] ?? '',
    lastArchivedTime: epoch(f[6]),
    lastFailedWal: f[7] ?? '',
    lastFailedTime: epoch(f[8]),
  };
}

const ARCHIVE_SETTINGS = ['archive_mode', 'archive_command', 'wal_level'];

/**
 * Judges archive_mode and a pending restart.
 *
 * @example
 * judgeArchiveMode(facts).status; // 'ok' | 'fail'
 */
export function judgeArchiveMode(facts: PostgresFacts): DoctorCheck {
  const pending = facts.pendingRestart.filter((name) => ARCHIVE_SETTINGS.includes(name));
  const title = 'archive_mode on';
  if (pending.length > 0) {
    return {
      id: 'archive.mode',
      title,
      status: 'fail',
      detail: `${pending.join(', ')} changed in the configuration but PostgreSQL still runs with the old value (pg_settings.pending_restart); archive_mode is ${facts.archiveMode}`,
      fix: 'Restart PostgreSQL (e.g. docker restart <container>) so the new archiving settings take effect.',
    };
  }
  if (facts.archiveMode !== 'on' && facts.archiveMode !== 'always') {
    return {
      id: 'archive.mode',
      title,
      status: 'fail',
      detail: `archive_mode is ${facts.archiveMode}: no WAL is archived, so no backup can be made consistent and PITR is impossible`,
      fix: "ALTER SYSTEM SET archive_mode = 'on'; then restart PostgreSQL (archive_mode needs a restart).",
    };
  }
  const others = facts.pendingRestart.filter((name) => !ARCHIVE_SETTINGS.includes(name));
  return others.length > 0
    ? {
        id: 'archive.mode',
        title,
        status: 'warn',
        detail: `archive_mode is ${facts.archiveMode}; other settings wait for a restart: ${others.join(', ')}`,
        fix: 'Restart PostgreSQL when convenient so the pending settings take effect.',
      }
    : { id: 'archive.mode', title, status: 'ok', detail: `archive_mode is ${facts.archiveMode}` };
}

/**
 * Judges whether archive_command hands WAL to pgBackRest for this stanza.
 *
 * @example
 * judgeArchiveCommand(facts, 'main').status;
 */
export function judgeArchiveCommand(facts: PostgresFacts, stanza: string): DoctorCheck {
  const command = facts.archiveCommand;
  const title = `archive_command pushes to stanza ${stanza}`;
  const want = `pgbackrest --stanza=${stanza} archive-push %p`;
  const words = command.split(/\s+/);
  const calls = words.some((w) => /(^|\/)pgbackrest$/.test(w)) && words.includes('archive-push');
  const stanzaWord = words.find((w) => w.startsWith('--stanza='));
  if (!calls) {
    return {
      id: 'archive.command',
      title,
      status: 'fail',
      detail:
        command === '' || command === '(disabled)' ? 'archive_command is not set' : `archive_command is '${command}'`,
      fix: `ALTER SYSTEM SET archive_command = '${want}'; then SELECT pg_reload_conf();`,
    };
  }
  if (stanzaWord !== `--stanza=${stanza}`) {
    return {
      id: 'archive.command',
      title,
      status: 'fail',
      detail: `archive_command pushes to ${stanzaWord === undefined ? 'no stanza' : `stanza ${stanzaWord.slice('--stanza='.length)}`}: '${command}'`,
      fix: `ALTER SYSTEM SET archive_command = '${want}'; then SELECT pg_reload_conf();`,
    };
  }
  return { id: 'archive.command', title, status: 'ok', detail: `archive_command is '${command}'` };
}

/**
 * Judges the archiver's last archived and last failed WAL (`pg_stat_archiver`).
 *
 * @example
 * judgeArchiver(facts).detail; // 'last archived 000000010000000000000003 at 2026-…'
 */
export function judgeArchiver(facts: PostgresFacts): DoctorCheck {
  const archived =
    facts.lastArchivedWal === ''
      ? 'nothing archived yet'
      : `last archived ${facts.lastArchivedWal} at ${facts.lastArchivedTime?.toISOString() ?? '?'}`;
  const failed =
    facts.lastFailedWal === ''
      ? 'no failure'
      : `last failed ${facts.lastFailedWal} at ${facts.lastFailedTime?.toISOString() ?? '?'}`;
  const failing =
    facts.lastFailedTime !== undefined &&
    (facts.lastArchivedTime === undefined || facts.lastFailedTime > facts.lastArchivedTime);
  return failing
    ? {
        id: 'archive.archiver',
        title: 'WAL archiver',
        status: 'fail',
        detail: `${archived}; ${failed} (the latest attempt failed)`,
        fix: "Read PostgreSQL's log for the archive-push error (and pgBackRest's log in log-path); the repository checks below usually name the cause.",
      }
    : { id: 'archive.archiver', title: 'WAL archiver', status: 'ok', detail: `${archived}; ${failed}` };
}

/** A database of the stanza as the repository records it. */
export interface RepositoryDatabase {
  readonly systemId: string;
  readonly pgVersion: string;
}

function major(versionNum: number): string {
  return versionNum >= 100000 ? String(Math.floor(versionNum / 10000)) : (versionNum / 10000).toFixed(1);
}

/**
 * Compares the running cluster's system id with the repository's current database for the stanza.
 *
 * @example
 * judgeSystemId(facts, { systemId: '7311…', pgVersion: '15' }, 'chronos').status;
 */
export function judgeSystemId(
  facts: PostgresFacts,
  repository: RepositoryDatabase | undefined,
  stanza: string,
): DoctorCheck {
  const title = 'database system id matches the repository';
  if (repository === undefined) {
    return {
      id: 'system-id',
      title,
      status: 'warn',
      detail: `the repositories hold no database for stanza ${stanza} (system id of the cluster: ${facts.systemId})`,
      fix: 'Create the stanza: chronos stanza create',
    };
  }
  if (repository.systemId === facts.systemId) {
    return {
      id: 'system-id',
      title,
      status: 'ok',
      detail: `system id ${facts.systemId}, PostgreSQL ${repository.pgVersion}`,
    };
  }
  const runningMajor = major(facts.versionNum);
  const upgraded = runningMajor !== repository.pgVersion;
  const choices = [
    `a new stanza name for the new cluster (set it in pgbackrest.conf and archive_command, then stanza create): the old backups stay restorable under ${stanza}`,
    'stanza delete --force then stanza create: keeps the name, loses every backup and WAL of the old cluster',
  ];
  if (upgraded) {
    choices.unshift(
      `stanza upgrade: when this is the same database after a major upgrade (PostgreSQL ${repository.pgVersion} -> ${runningMajor}, pg_upgrade)`,
    );
  }
  return {
    id: 'system-id',
    title,
    status: 'fail',
    detail: `the database's system id ${facts.systemId} (PostgreSQL ${runningMajor}) differs from the repository's ${repository.systemId} (PostgreSQL ${repository.pgVersion}) for stanza ${stanza}: the cluster was re-initialized (initdb, a migration or a restore from another cluster), so pgBackRest refuses its backups and WAL`,
    fix: `Choose one: ${choices.map((c, i) => `(${i + 1}) ${c}`).join('; ')}.${upgraded ? '' : ` (stanza upgrade is only for a major upgrade: both are PostgreSQL ${runningMajor}.)`}`,
  };
}
