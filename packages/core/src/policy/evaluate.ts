import type { AnalyzedBackup, InfoAnalysis, RepositoryAnalysis, StanzaAnalysis } from '../analysis/index.js';
import { analyzeInfo, newestArchivedActivity, type RestorableInstant } from '../analysis/index.js';
import type { BackupType, Info } from '../info/index.js';
import type { Policy, PolicyRepository } from './schema.js';
import { durationSeconds } from './units.js';

/** How serious a finding is: `critical` breaks an objective, `warning` needs attention, `info` is context. */
export type FindingSeverity = 'critical' | 'warning' | 'info';

/** One verdict of {@link evaluatePolicy}. */
export interface PolicyFinding {
  /** Stable identifier, e.g. `backup.too-old`, `redundancy.offsite`. */
  readonly code: string;
  readonly severity: FindingSeverity;
  readonly stanza: string;
  /** pgBackRest repository key (`repoN`) the finding is about. */
  readonly repoKey?: number;
  /** Policy name of that repository. */
  readonly repository?: string;
  readonly backupType?: BackupType;
  readonly backupLabel?: string;
  /** Observed value in base units (seconds or a count) when the finding compares against an objective. */
  readonly observed?: number;
  /** Required value in the same unit. */
  readonly required?: number;
  readonly message: string;
}

/** The 3-2-1 rule as observed: only repositories that hold a valid backup count. */
export interface RedundancyObservation {
  readonly copies: number;
  readonly storageKinds: number;
  readonly offsiteCopies: number;
  /** Policy names of the repositories that hold at least one valid backup. */
  readonly repositoriesWithValidBackups: readonly string[];
}

/** The result of {@link evaluatePolicy}. */
export interface PolicyEvaluation {
  readonly stanza: string;
  readonly now: Date;
  /** Worst severity among findings, `ok` when none is warning or critical. */
  readonly status: 'ok' | 'warning' | 'critical';
  readonly findings: readonly PolicyFinding[];
  readonly redundancy: RedundancyObservation;
}

/** Options of {@link evaluatePolicy}. */
export interface EvaluatePolicyOptions {
  readonly now: Date;
  /** Stanza to judge; default the policy's. */
  readonly stanza?: string;
  /**
   * When PostgreSQL last archived a WAL segment (pg_stat_archiver.last_archived_time). `info` records no WAL
   * times, so the archive-lag objective is judged only when this is given.
   */
  readonly lastArchivedAt?: Date;
  /**
   * When the newest restore drill proved the backup (`null`: no drill ever did), read from the drill's report or
   * metrics file (`lastDrillSuccess`). The drill objective is judged only when this is given.
   */
  readonly lastDrillSuccess?: Date | null;
  /**
   * The newest restorable instant per stanza, read from the newest archived WAL (a verify report, see
   * `restorableInstantsFromVerifyReport`). When given, the recovery window ends at the last archived commit
   * instead of now, and the archive-lag objective is judged from the newest archived commit or checkpoint when
   * `lastArchivedAt` is not given.
   */
  readonly restorableInstants?: readonly RestorableInstant[];
}

const TYPES_COVERING: Record<BackupType, readonly BackupType[]> = {
  full: ['full'],
  diff: ['full', 'diff'],
  incr: ['full', 'diff', 'incr'],
};

function humanDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s >= 86_400) return `${(s / 86_400).toFixed(1)}d`;
  if (s >= 3_600) return `${(s / 3_600).toFixed(1)}h`;
  if (s >= 60) return `${Math.round(s / 60)}m`;
  return `${s}s`;
}

function validBackups(repo: RepositoryAnalysis | undefined): AnalyzedBackup[] {
  return (repo?.backups ?? []).filter((backup) => !backup.error && backup.walInArchive);
}

function newest(backups: readonly AnalyzedBackup[], types: readonly BackupType[]): AnalyzedBackup | undefined {
  let found: AnalyzedBackup | undefined;
  for (const backup of backups) {
    if (types.includes(backup.type) && (!found || backup.stoppedAt > found.stoppedAt)) found = backup;
  }
  return found;
}

function requiresEncryption(policy: Policy, repo: PolicyRepository): boolean {
  return policy.encryption.requiredFor === 'all' || (policy.encryption.requiredFor === 'offsite' && repo.offsite);
}

function judgeRepository(
  policy: Policy,
  stanza: StanzaAnalysis,
  repo: PolicyRepository,
  key: number,
  now: Date,
): PolicyFinding[] {
  const base = { stanza: stanza.name, repoKey: key, repository: repo.name };
  const analysis = stanza.repositories.find((r) => r.key === key);
  const findings: PolicyFinding[] = [];
  if (!analysis) {
    return [
      {
        ...base,
        code: 'repo.missing',
        severity: 'critical',
        message: `repo${key} ("${repo.name}") is not in info: check the configuration and run stanza-create for it`,
      },
    ];
  }
  if (analysis.status && !analysis.status.ok) {
    findings.push({
      ...base,
      code: 'repo.status',
      severity: 'critical',
      observed: analysis.status.code,
      message: `repo${key} ("${repo.name}") status ${analysis.status.code}: ${analysis.status.message}`,
    });
  }
  if (requiresEncryption(policy, repo) && analysis.cipher === 'none') {
    findings.push({
      ...base,
      code: 'encryption.off',
      severity: 'critical',
      message: `repo${key} ("${repo.name}") is not encrypted but the policy requires encryption for ${policy.encryption.requiredFor === 'all' ? 'every' : 'off-site'} repositories: a new repository with repo${key}-cipher-type=aes-256-cbc is needed (pgBackRest cannot encrypt an existing one)`,
    });
  }
  for (const backup of analysis.errorBackups) {
    findings.push({
      ...base,
      code: 'backup.error-flagged',
      severity: 'warning',
      backupType: backup.type,
      backupLabel: backup.label,
      message: `backup ${backup.label} in repo${key} is flagged with checksum/page errors: run verify and take a new ${backup.type} backup`,
    });
  }
  const valid = validBackups(analysis);
  for (const backup of analysis.backups.filter((b) => !b.error && !b.walInArchive)) {
    findings.push({
      ...base,
      code: 'backup.wal-missing',
      severity: 'warning',
      backupType: backup.type,
      backupLabel: backup.label,
      message: `backup ${backup.label} in repo${key} needs WAL ${backup.wal.start ?? '?'}..${backup.wal.stop ?? '?'} that is not in the archive range: it cannot be restored to consistency`,
    });
  }
  for (const type of ['full', 'diff', 'incr'] as const) {
    if (!policy.schedule[type]) continue;
    const latest = newest(valid, TYPES_COVERING[type]);
    if (!latest) {
      findings.push({
        ...base,
        code: 'backup.missing-type',
        severity: type === 'full' ? 'critical' : 'warning',
        backupType: type,
        message: `repo${key} ("${repo.name}") holds no valid ${type} backup although the policy schedules one: run pgbackrest --stanza=${stanza.name} --repo=${key} --type=${type} backup`,
      });
      continue;
    }
    const limit = policy.objectives.maxBackupAge?.[type];
    if (limit === undefined) continue;
    const required = durationSeconds(limit);
    const age = (now.getTime() - latest.stoppedAt.getTime()) / 1000;
    if (age > required) {
      findings.push({
        ...base,
        code: 'backup.too-old',
        severity: 'critical',
        backupType: type,
        backupLabel: latest.label,
        observed: age,
        required,
        message: `newest ${type === 'full' ? 'full' : `${type} (or newer ${TYPES_COVERING[type].filter((t) => t !== type).join('/')})`} backup in repo${key} ("${repo.name}") is ${humanDuration(age)} old, objective ${limit}: check the ${type} schedule and the backup logs`,
      });
    }
  }
  return findings;
}

/**
 * Judges a repository against a policy: backup age per type, missing types, error-flagged backups, recovery window,
 * the 3-2-1 rule counted over repositories that hold valid backups, encryption, stanza and repository status, and
 * (when `lastArchivedAt` is given) WAL archive lag. Accepts parsed `info` or its analysis.
 *
 * @example
 * const evaluation = evaluatePolicy(policy, parseInfo(stdout), { now: new Date() });
 * for (const finding of evaluation.findings) console.log(finding.severity, finding.message);
 */
export function evaluatePolicy(
  policy: Policy,
  info: Info | InfoAnalysis,
  options: EvaluatePolicyOptions,
): PolicyEvaluation {
  const { now } = options;
  const restorableInstants = options.restorableInstants;
  const analysis = Array.isArray(info)
    ? analyzeInfo(info, { now, ...(restorableInstants === undefined ? {} : { restorableInstants }) })
    : (info as InfoAnalysis);
  const stanzaName = options.stanza ?? policy.stanza;
  const stanza = analysis.stanzas.find((s) => s.name === stanzaName);
  const findings: PolicyFinding[] = [];
  const base = { stanza: stanzaName };
  if (!stanza) {
    findings.push({
      ...base,
      code: 'stanza.missing',
      severity: 'critical',
      message: `stanza "${stanzaName}" is not in info: run stanza-create`,
    });
    return {
      stanza: stanzaName,
      now,
      status: 'critical',
      findings,
      redundancy: { copies: 0, storageKinds: 0, offsiteCopies: 0, repositoriesWithValidBackups: [] },
    };
  }
  if (!stanza.status.ok) {
    findings.push({
      ...base,
      code: 'stanza.status',
      severity: 'critical',
      observed: stanza.status.code,
      message: `stanza "${stanzaName}" status ${stanza.status.code}: ${stanza.status.message}`,
    });
  }
  policy.repositories.forEach((repo, index) => {
    findings.push(...judgeRepository(policy, stanza, repo, index + 1, now));
  });

  const withValid = policy.repositories.filter(
    (_repo, index) => validBackups(stanza.repositories.find((r) => r.key === index + 1)).length > 0,
  );
  const redundancy: RedundancyObservation = {
    copies: withValid.length + (policy.redundancy?.countProduction === false ? 0 : 1),
    storageKinds: new Set(withValid.map((repo) => repo.type)).size,
    offsiteCopies: withValid.filter((repo) => repo.offsite).length,
    repositoriesWithValidBackups: withValid.map((repo) => repo.name),
  };
  if (policy.redundancy) {
    const rule = policy.redundancy;
    const holding = redundancy.repositoriesWithValidBackups.join(', ') || 'none';
    const checks = [
      ['redundancy.copies', redundancy.copies, rule.copies, 'copies'],
      ['redundancy.storage-kinds', redundancy.storageKinds, rule.storageKinds, 'distinct storage kinds'],
      ['redundancy.offsite', redundancy.offsiteCopies, rule.offsiteCopies, 'off-site copies'],
    ] as const;
    for (const [code, observed, required, what] of checks) {
      if (observed < required) {
        findings.push({
          ...base,
          code,
          severity: 'critical',
          observed,
          required,
          message: `3-2-1 rule: ${observed} ${what}, policy requires ${required} (repositories with a valid backup: ${holding})`,
        });
      }
    }
  }

  const instant = restorableInstants?.find((i) => i.stanza === stanzaName);
  const archivedActivity = instant === undefined ? undefined : newestArchivedActivity(instant);
  if (policy.objectives.minRecoveryWindow) {
    const required = durationSeconds(policy.objectives.minRecoveryWindow);
    const earliest = stanza.recoveryWindow.earliest;
    if (!earliest) {
      findings.push({
        ...base,
        code: 'recovery-window.none',
        severity: 'critical',
        observed: 0,
        required,
        message: `no restorable backup: the recovery window is empty, objective ${policy.objectives.minRecoveryWindow}`,
      });
    } else {
      const latest = instant?.lastCommitAt ?? stanza.recoveryWindow.latestRestorable;
      const observed = ((latest ?? now).getTime() - earliest.getTime()) / 1000;
      if (observed < required) {
        findings.push({
          ...base,
          code: 'recovery-window.too-short',
          severity: 'critical',
          observed,
          required,
          message:
            latest === undefined
              ? `recovery window reaches back ${humanDuration(observed)} (to ${earliest.toISOString()}), objective ${policy.objectives.minRecoveryWindow}: retention is shorter than the window or backups started recently`
              : `recovery window spans ${humanDuration(observed)} (${earliest.toISOString()} to the last archived commit at ${latest.toISOString()}), objective ${policy.objectives.minRecoveryWindow}: retention is shorter than the window, backups started recently, or WAL stopped arriving`,
        });
      }
    }
  }

  if (policy.objectives.maxArchiveLag) {
    const required = durationSeconds(policy.objectives.maxArchiveLag);
    const lastSeen = options.lastArchivedAt ?? archivedActivity;
    if (lastSeen !== undefined) {
      const observed = (now.getTime() - lastSeen.getTime()) / 1000;
      const fix = 'check archive_command failures in pg_stat_archiver and the PostgreSQL log';
      if (observed > required) {
        findings.push({
          ...base,
          code: 'archive.lag',
          severity: 'critical',
          observed,
          required,
          message: options.lastArchivedAt
            ? `last WAL archived ${humanDuration(observed)} ago, objective ${policy.objectives.maxArchiveLag}: ${fix}`
            : `the newest archived WAL holds activity up to ${lastSeen.toISOString()} (last commit or checkpoint), ${humanDuration(observed)} ago, objective ${policy.objectives.maxArchiveLag}: ${fix} (an idle database also writes no commits)`,
        });
      }
    } else {
      findings.push({
        ...base,
        code: 'archive.lag-unknown',
        severity: 'info',
        required,
        message:
          'info records no WAL times: pass lastArchivedAt (pg_stat_archiver.last_archived_time) or a deep verify report (restorableInstants) to judge the archive-lag objective',
      });
    }
  }
  if (policy.objectives.maxDrillAge) {
    const required = durationSeconds(policy.objectives.maxDrillAge);
    const last = options.lastDrillSuccess;
    if (last === undefined) {
      findings.push({
        ...base,
        code: 'drill.unknown',
        severity: 'info',
        required,
        message: "pass the restore drill's report or metrics file to judge the drill objective",
      });
    } else if (last === null || (now.getTime() - last.getTime()) / 1000 > required) {
      const observed = last === null ? undefined : (now.getTime() - last.getTime()) / 1000;
      findings.push({
        ...base,
        code: last === null ? 'drill.never' : 'drill.too-old',
        severity: 'critical',
        ...(observed === undefined ? {} : { observed }),
        required,
        message:
          last === null
            ? `no restore drill has proven the backup, objective ${policy.objectives.maxDrillAge}: schedule \`chronos drill\``
            : `the newest proven restore drill finished ${humanDuration(observed!)} ago (${last.toISOString()}), objective ${policy.objectives.maxDrillAge}: look at the drill's log and report`,
      });
    }
  }
  if (stanza.backup.running) {
    findings.push({
      ...base,
      code: 'backup.running',
      severity: 'info',
      message: `a backup is running${stanza.backup.fraction === undefined ? '' : ` (${Math.round(stanza.backup.fraction * 100)}%)`}`,
    });
  }

  const status = findings.some((f) => f.severity === 'critical')
    ? 'critical'
    : findings.some((f) => f.severity === 'warning')
      ? 'warning'
      : 'ok';
  return { stanza: stanzaName, now, status, findings, redundancy };
}
