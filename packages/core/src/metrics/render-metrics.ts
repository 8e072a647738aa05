import type { AnalyzedBackup, InfoAnalysis, StanzaAnalysis } from '../analysis/index.js';
import { analyzeInfo } from '../analysis/index.js';
import type { Info } from '../info/index.js';
import { evaluatePolicy } from '../policy/evaluate.js';
import type { Policy } from '../policy/schema.js';
import { durationSeconds } from '../policy/units.js';
import { Exposition } from './exposition.js';

/** Options of {@link renderMetrics}. */
export interface RenderMetricsOptions {
  /** The moment ages are measured from. */
  readonly now: Date;
  /** When given, the policy's objectives and verdicts for its stanza are exported too. */
  readonly policy?: Policy;
  /** Passed to the policy evaluation to judge archive lag (pg_stat_archiver.last_archived_time). */
  readonly lastArchivedAt?: Date;
}

const BACKUP_TYPES = ['full', 'diff', 'incr'] as const;
const SEVERITY_LEVEL = { ok: 0, warning: 1, critical: 2 } as const;

/**
 * Position of a WAL segment name as one number: log × 2^32 + segment, timeline excluded. Ordering only; it
 * does not assume a segment size.
 *
 * @example
 * walPosition('00000001000000020000000A'); // 8589934602
 */
export function walPosition(segment: string): number {
  return Number.parseInt(segment.slice(8, 16), 16) * 2 ** 32 + Number.parseInt(segment.slice(16, 24), 16);
}

const seconds = (date: Date) => date.getTime() / 1000;

function backupFacts(out: Exposition, stanza: string, repo: string, backup: AnalyzedBackup): void {
  const labels = { stanza, repo, type: backup.type, backup: backup.label };
  const repoSize = backup.raw.info.repository.size;
  out.gauge('pgbackrest_backup_size_bytes', 'Size of the database at backup time.', labels, backup.size);
  out.gauge(
    'pgbackrest_backup_delta_bytes',
    'Amount of database data this backup copied.',
    labels,
    backup.raw.info.delta,
  );
  if (repoSize !== undefined) {
    out.gauge(
      'pgbackrest_backup_repo_size_bytes',
      'Size of the backup in the repository (compressed), needed to restore it.',
      labels,
      repoSize,
    );
  }
  const repoDelta = backup.raw.info.repository.delta;
  if (repoDelta !== undefined) {
    out.gauge('pgbackrest_backup_repo_delta_bytes', 'Bytes this backup added to the repository.', labels, repoDelta);
  }
  out.gauge(
    'pgbackrest_backup_duration_seconds',
    'Backup duration.',
    labels,
    seconds(backup.stoppedAt) - seconds(backup.startedAt),
  );
  out.gauge(
    'pgbackrest_backup_stop_timestamp_seconds',
    'Unix time the backup stopped.',
    labels,
    seconds(backup.stoppedAt),
  );
  out.gauge(
    'pgbackrest_backup_error',
    '1 when pgBackRest flagged checksum or page errors in the backup.',
    labels,
    backup.error ? 1 : 0,
  );
  out.gauge(
    'pgbackrest_backup_wal_in_archive',
    '1 when the WAL the backup needs lies in the archive range.',
    labels,
    backup.walInArchive ? 1 : 0,
  );
}

/** Adds one stanza's pgBackRest facts (status, repositories, backups, WAL archive, recovery window) to `out`. */
export function stanzaFacts(out: Exposition, stanza: StanzaAnalysis, now: Date): void {
  const s = { stanza: stanza.name };
  out.gauge(
    'pgbackrest_stanza_status',
    'Stanza status code (0 ok, 1 missing stanza path, 2 no valid backups, 3 missing stanza data, 4 different across repos, 5 database mismatch across repos, 6 backup not found, 99 other).',
    s,
    stanza.status.code,
  );
  out.gauge(
    'pgbackrest_stanza_backup_running',
    '1 while a backup holds the stanza lock.',
    s,
    stanza.backup.running ? 1 : 0,
  );
  if (stanza.backup.totalBytes !== undefined)
    out.gauge(
      'pgbackrest_stanza_backup_total_bytes',
      'Bytes the running backup will copy (2.48+).',
      s,
      stanza.backup.totalBytes,
    );
  if (stanza.backup.completedBytes !== undefined)
    out.gauge(
      'pgbackrest_stanza_backup_completed_bytes',
      'Bytes the running backup has copied (2.48+).',
      s,
      stanza.backup.completedBytes,
    );
  if (stanza.backup.fraction !== undefined)
    out.gauge(
      'pgbackrest_stanza_backup_progress_ratio',
      'Completed share of the running backup, 0 to 1.',
      s,
      stanza.backup.fraction,
    );
  out.gauge(
    'pgbackrest_stanza_restore_running',
    '1 while a restore holds the stanza lock (2.56+).',
    s,
    stanza.restore.running ? 1 : 0,
  );
  const window = stanza.recoveryWindow;
  if (window.earliest) {
    out.gauge(
      'pgbackrest_recovery_window_start_timestamp_seconds',
      'Unix time of the earliest point a restore reaches consistency.',
      s,
      seconds(window.earliest),
    );
    out.gauge(
      'pgbackrest_recovery_window_seconds',
      'Seconds from the earliest restorable point to now.',
      s,
      (now.getTime() - window.earliest.getTime()) / 1000,
    );
  }
  for (const repo of stanza.repositories) {
    const r = { stanza: stanza.name, repo: String(repo.key) };
    if (repo.status)
      out.gauge(
        'pgbackrest_repo_status',
        'Repository status code (same codes as the stanza status).',
        r,
        repo.status.code,
      );
    if (repo.cipher !== undefined)
      out.gauge('pgbackrest_repo_encrypted', '1 when the repository is encrypted.', r, repo.cipher === 'none' ? 0 : 1);
    for (const type of BACKUP_TYPES) {
      const t = { ...r, type };
      out.gauge(
        'pgbackrest_backups',
        'Backups in the repository by type.',
        t,
        repo.backups.filter((b) => b.type === type).length,
      );
      const latest = repo.latest[type];
      if (!latest) continue;
      out.gauge(
        'pgbackrest_backup_last_age_seconds',
        'Seconds since the newest backup of the type stopped.',
        t,
        (now.getTime() - latest.stoppedAt.getTime()) / 1000,
      );
      out.gauge(
        'pgbackrest_backup_last_completion_timestamp_seconds',
        'Unix time the newest backup of the type stopped.',
        t,
        seconds(latest.stoppedAt),
      );
      out.gauge('pgbackrest_backup_last_size_bytes', 'Database size in the newest backup of the type.', t, latest.size);
      out.gauge(
        'pgbackrest_backup_last_duration_seconds',
        'Duration of the newest backup of the type.',
        t,
        seconds(latest.stoppedAt) - seconds(latest.startedAt),
      );
      out.gauge(
        'pgbackrest_backup_last_error',
        '1 when the newest backup of the type is flagged with errors.',
        t,
        latest.error ? 1 : 0,
      );
    }
    for (const archive of repo.archives) {
      const a = { ...r, archive_id: archive.archiveId };
      out.gauge(
        'pgbackrest_wal_archive_status',
        '1 when the archive reports both its oldest and newest WAL segment.',
        a,
        archive.min && archive.max ? 1 : 0,
      );
      if (archive.min) {
        out.gauge(
          'pgbackrest_wal_archive_min_timeline',
          'Timeline of the oldest archived WAL segment.',
          a,
          Number.parseInt(archive.min.slice(0, 8), 16),
        );
        out.gauge(
          'pgbackrest_wal_archive_min_position',
          'Oldest archived WAL segment as log × 2^32 + segment (ordering only).',
          a,
          walPosition(archive.min),
        );
      }
      if (archive.max) {
        out.gauge(
          'pgbackrest_wal_archive_max_timeline',
          'Timeline of the newest archived WAL segment.',
          a,
          Number.parseInt(archive.max.slice(0, 8), 16),
        );
        out.gauge(
          'pgbackrest_wal_archive_max_position',
          'Newest archived WAL segment as log × 2^32 + segment (ordering only).',
          a,
          walPosition(archive.max),
        );
      }
    }
    for (const backup of repo.backups) backupFacts(out, stanza.name, String(repo.key), backup);
  }
}

/** Adds a policy's objectives and verdicts for one stanza (default the policy's) to `out`. */
export function policyVerdicts(
  out: Exposition,
  analysis: InfoAnalysis,
  options: RenderMetricsOptions & {
    readonly policy: Policy;
    readonly stanza?: string;
    readonly lastDrillSuccess?: Date | null;
  },
): void {
  const { policy, now } = options;
  const evaluation = evaluatePolicy(policy, analysis, {
    now,
    ...(options.stanza === undefined ? {} : { stanza: options.stanza }),
    ...(options.lastArchivedAt ? { lastArchivedAt: options.lastArchivedAt } : {}),
    ...(options.lastDrillSuccess === undefined ? {} : { lastDrillSuccess: options.lastDrillSuccess }),
  });
  const s = { stanza: evaluation.stanza };
  out.gauge(
    'chronos_policy_status',
    'Policy verdict: 0 ok, 1 warning, 2 critical.',
    s,
    SEVERITY_LEVEL[evaluation.status],
  );
  for (const severity of ['critical', 'warning', 'info'] as const) {
    out.gauge(
      'chronos_policy_findings',
      'Policy findings by severity.',
      { ...s, severity },
      evaluation.findings.filter((f) => f.severity === severity).length,
    );
  }
  out.declare(
    'chronos_policy_finding',
    'gauge',
    'One series per policy finding (value 1), labelled with its code and severity.',
  );
  for (const finding of evaluation.findings) {
    out.gauge(
      'chronos_policy_finding',
      'One series per policy finding (value 1), labelled with its code and severity.',
      {
        ...s,
        code: finding.code,
        severity: finding.severity,
        ...(finding.repoKey !== undefined ? { repo: String(finding.repoKey) } : {}),
        ...(finding.backupType ? { type: finding.backupType } : {}),
        ...(finding.backupLabel ? { backup: finding.backupLabel } : {}),
      },
      1,
    );
  }
  for (const type of BACKUP_TYPES) {
    const limit = policy.objectives.maxBackupAge?.[type];
    if (limit)
      out.gauge(
        'chronos_policy_backup_max_age_seconds',
        'Objective: maximum age of the newest backup of the type.',
        { ...s, type },
        durationSeconds(limit),
      );
  }
  if (policy.objectives.minRecoveryWindow) {
    out.gauge(
      'chronos_policy_min_recovery_window_seconds',
      'Objective: minimum recovery window.',
      s,
      durationSeconds(policy.objectives.minRecoveryWindow),
    );
  }
  if (policy.objectives.maxDrillAge) {
    out.gauge(
      'chronos_policy_max_drill_age_seconds',
      'Objective: maximum time since the newest proven restore drill.',
      s,
      durationSeconds(policy.objectives.maxDrillAge),
    );
  }
  if (policy.objectives.maxArchiveLag) {
    out.gauge(
      'chronos_policy_max_archive_lag_seconds',
      'Objective: maximum WAL archive lag.',
      s,
      durationSeconds(policy.objectives.maxArchiveLag),
    );
  }
  out.gauge(
    'chronos_policy_copies',
    'Copies of the data counted over repositories holding a valid backup (production included when the policy counts it).',
    s,
    evaluation.redundancy.copies,
  );
  out.gauge(
    'chronos_policy_storage_kinds',
    'Distinct storage kinds among repositories holding a valid backup.',
    s,
    evaluation.redundancy.storageKinds,
  );
  out.gauge(
    'chronos_policy_offsite_copies',
    'Off-site repositories holding a valid backup.',
    s,
    evaluation.redundancy.offsiteCopies,
  );
  if (policy.redundancy) {
    out.gauge('chronos_policy_copies_required', 'Objective: copies (3-2-1 rule).', s, policy.redundancy.copies);
    out.gauge(
      'chronos_policy_storage_kinds_required',
      'Objective: distinct storage kinds (3-2-1 rule).',
      s,
      policy.redundancy.storageKinds,
    );
    out.gauge(
      'chronos_policy_offsite_copies_required',
      'Objective: off-site copies (3-2-1 rule).',
      s,
      policy.redundancy.offsiteCopies,
    );
  }
}

/**
 * Renders the facts of parsed `info` (or its analysis) as Prometheus text exposition: stanza and repository status,
 * backup ages, sizes and durations, WAL archive bounds, locks and progress, the recovery window; with a policy, also
 * its objectives and verdicts. Units are seconds and bytes; every metric is a gauge (a snapshot), labels are
 * stanza, repo, type, backup (plus archive_id, code, severity where they apply).
 *
 * @example
 * const text = renderMetrics(parseInfo(stdout), { now: new Date(), policy });
 * await writeFile('/var/lib/node_exporter/textfile/pgbackrest.prom', text);
 */
export function renderMetrics(input: Info | InfoAnalysis, options: RenderMetricsOptions): string {
  const analysis = Array.isArray(input) ? analyzeInfo(input, { now: options.now }) : (input as InfoAnalysis);
  const out = new Exposition();
  for (const stanza of analysis.stanzas) stanzaFacts(out, stanza, options.now);
  if (options.policy) policyVerdicts(out, analysis, { ...options, policy: options.policy });
  return out.render();
}
