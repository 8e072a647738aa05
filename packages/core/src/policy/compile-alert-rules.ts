import { stringify } from 'yaml';
import type { BackupType } from '../info/index.js';
import type { FindingSeverity } from './evaluate.js';
import type { Policy } from './schema.js';
import { durationSeconds } from './units.js';

/** Options of {@link compileAlertRules}. */
export interface AlertRulesOptions {
  /** Stanza name; default the policy's. */
  readonly stanza?: string;
  /** Prometheus `job` label of the exporter's scrape target; default `chronos`. */
  readonly job?: string;
  /** Where the monitoring guide lives (its runbook sections are anchors in it); default `docs/guides/monitoring.md`. */
  readonly runbookBase?: string;
  /** How old the exporter's data may get before it counts as stale; default `15m`. */
  readonly staleAfter?: string;
}

/** One Prometheus alerting rule. */
export interface PrometheusAlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly for: string;
  readonly labels: { readonly severity: 'critical' | 'warning'; readonly stanza: string };
  readonly annotations: { readonly summary: string; readonly description: string; readonly runbook_url: string };
}

/** The result of {@link compileAlertRules}: a Prometheus rule file as data and as YAML. */
export interface CompiledAlertRules {
  readonly groups: readonly { readonly name: string; readonly rules: readonly PrometheusAlertRule[] }[];
  readonly yaml: string;
}

/**
 * Severity of the alert for each objective: the severity {@link evaluatePolicy} gives the finding that breaks it,
 * `warning` for what the evaluation does not judge (verification, the exporter's own health).
 */
export const ALERT_SEVERITY = {
  'backup.too-old': 'critical',
  'archive.lag': 'critical',
  'recovery-window.too-short': 'critical',
  'drill.too-old': 'critical',
  'policy.critical': 'critical',
  'verify.too-old': 'warning',
  'verify.errors': 'critical',
  'exporter.down': 'critical',
  'exporter.unreachable': 'critical',
  'exporter.stale': 'warning',
} as const satisfies Record<string, Exclude<FindingSeverity, 'info'>>;

/** Anchors of the runbook sections in the monitoring guide, by objective. */
export const RUNBOOK_ANCHORS: Readonly<Record<keyof typeof ALERT_SEVERITY, string>> = {
  'backup.too-old': 'backup-too-old',
  'archive.lag': 'archive-lag',
  'recovery-window.too-short': 'recovery-window-too-short',
  'drill.too-old': 'drill-too-old',
  'policy.critical': 'policy-critical',
  'verify.too-old': 'verification-too-old',
  'verify.errors': 'verification-errors',
  'exporter.down': 'exporter-down',
  'exporter.unreachable': 'repository-unreachable',
  'exporter.stale': 'exporter-stale',
};

const TYPES_COVERING: Record<BackupType, string> = { full: 'full', diff: 'full|diff', incr: 'full|diff|incr' };

function promString(value: string): string {
  return JSON.stringify(value);
}

/**
 * Compiles a policy's objectives into Prometheus alerting rules over the exporter's metrics: backup age per type,
 * archive lag, recovery window, drill and verification freshness, the policy's own critical verdict, and the exporter
 * being down, unable to reach pgBackRest or stale. Each rule carries a summary, a severity, and a runbook URL that
 * points to the section of the monitoring guide that says what to do. Check the file with `promtool check rules`.
 *
 * @example
 * const rules = compileAlertRules(parsePolicy(text), { job: 'chronos', runbookBase: 'https://wiki.example/monitoring' });
 * await writeFile('/etc/prometheus/rules/chronos.yml', rules.yaml);
 */
export function compileAlertRules(policy: Policy, options: AlertRulesOptions = {}): CompiledAlertRules {
  const stanza = options.stanza ?? policy.stanza;
  const job = options.job ?? 'chronos';
  const base = options.runbookBase ?? 'docs/guides/monitoring.md';
  const staleAfter = options.staleAfter ?? '15m';
  const s = `stanza=${promString(stanza)}`;
  const rules: PrometheusAlertRule[] = [];
  const rule = (
    objective: keyof typeof ALERT_SEVERITY,
    alert: string,
    expr: string,
    wait: string,
    summary: string,
    description: string,
  ) =>
    rules.push({
      alert,
      expr,
      for: wait,
      labels: { severity: ALERT_SEVERITY[objective], stanza },
      annotations: { summary, description, runbook_url: `${base}#${RUNBOOK_ANCHORS[objective]}` },
    });

  for (const type of ['full', 'diff', 'incr'] as const) {
    const limit = policy.objectives.maxBackupAge?.[type];
    if (limit === undefined) continue;
    const name = `${type[0]?.toUpperCase()}${type.slice(1)}`;
    rule(
      'backup.too-old',
      `Chronos${name}BackupTooOld`,
      `time() - max by (stanza, repo) (pgbackrest_backup_last_completion_timestamp_seconds{${s}, type=~"${TYPES_COVERING[type]}"}) > ${durationSeconds(limit)}`,
      '5m',
      `Newest ${type} backup of stanza ${stanza} is older than ${limit}`,
      `The newest ${type === 'full' ? 'full' : `${type} (or newer ${TYPES_COVERING[type].replaceAll('|', '/')})`} backup in repo {{ $labels.repo }} is older than the policy allows (${limit}).`,
    );
  }
  if (policy.objectives.maxArchiveLag !== undefined) {
    const limit = policy.objectives.maxArchiveLag;
    rule(
      'archive.lag',
      'ChronosArchiveLag',
      `time() - max by (stanza, repo) (chronos_wal_archive_newest_seen_timestamp_seconds{${s}}) > ${durationSeconds(limit)}`,
      '5m',
      `WAL archiving of stanza ${stanza} has not advanced for more than ${limit}`,
      `The newest archived WAL segment in repo {{ $labels.repo }} has not changed for longer than ${limit} (as the exporter saw it at each refresh).`,
    );
  }
  if (policy.objectives.minRecoveryWindow !== undefined) {
    const limit = policy.objectives.minRecoveryWindow;
    rule(
      'recovery-window.too-short',
      'ChronosRecoveryWindowTooShort',
      `time() - pgbackrest_recovery_window_start_timestamp_seconds{${s}} < ${durationSeconds(limit)}`,
      '15m',
      `Recovery window of stanza ${stanza} is shorter than ${limit}`,
      `The earliest point a restore reaches is less than ${limit} ago, the window the policy requires.`,
    );
  }
  if (policy.objectives.maxDrillAge !== undefined) {
    const limit = policy.objectives.maxDrillAge;
    const metric = `chronos_drill_last_success_timestamp_seconds{${s}}`;
    rule(
      'drill.too-old',
      'ChronosRestoreDrillTooOld',
      `(time() - max by (stanza) (${metric}) > ${durationSeconds(limit)}) or (absent(${metric}) and on() (count(chronos_up{${s}}) > 0))`,
      '15m',
      `No restore drill has proven the backup of stanza ${stanza} within ${limit}`,
      `The newest restore drill that restored, recovered and passed its checks is older than ${limit}, or none is known.`,
    );
  }
  if (policy.objectives.maxVerificationAge !== undefined) {
    const limit = policy.objectives.maxVerificationAge;
    const metric = `chronos_verify_last_timestamp_seconds{${s}}`;
    rule(
      'verify.too-old',
      'ChronosVerificationTooOld',
      `(time() - max by (stanza) (${metric}) > ${durationSeconds(limit)}) or (absent(${metric}) and on() (count(chronos_up{${s}}) > 0))`,
      '15m',
      `The repository of stanza ${stanza} has not been verified within ${limit}`,
      `The newest verify-s3 / verify-repo report is older than ${limit}, or none is known.`,
    );
    rule(
      'verify.errors',
      'ChronosVerificationErrors',
      `max by (stanza) (chronos_verify_findings{${s}, severity="error"}) > 0`,
      '0m',
      `The newest verification of stanza ${stanza} found errors`,
      'The newest verification report lists error findings: backups or WAL the repository cannot restore.',
    );
  }
  rule(
    'policy.critical',
    'ChronosPolicyCritical',
    `max by (stanza) (chronos_policy_status{${s}}) >= 2`,
    '15m',
    `Stanza ${stanza} breaks its backup policy`,
    'The policy evaluation has a critical finding (chronos_policy_finding says which): a missing backup type, the 3-2-1 rule, encryption or a repository status.',
  );
  rule(
    'exporter.down',
    'ChronosExporterDown',
    `up{job=${promString(job)}} == 0 or absent(up{job=${promString(job)}})`,
    '5m',
    'The chronos exporter is down',
    `Prometheus cannot scrape the chronos exporter (job ${job}): no backup objective is being watched.`,
  );
  rule(
    'exporter.unreachable',
    'ChronosRepositoryUnreachable',
    `min by (stanza) (chronos_up{${s}}) == 0`,
    '10m',
    `pgBackRest or a repository of stanza ${stanza} does not answer`,
    'The exporter could not read info within its timeout, or a repository answered with an error: the metrics shown are as old as chronos_data_age_seconds.',
  );
  rule(
    'exporter.stale',
    'ChronosExporterStale',
    `max by (stanza) (chronos_data_age_seconds{${s}}) > ${durationSeconds(staleAfter)}`,
    '0m',
    `The exporter's data for stanza ${stanza} is older than ${staleAfter}`,
    `The data behind every other alert is older than ${staleAfter}: refreshes fail or time out.`,
  );
  const groups = [{ name: `chronos-${stanza}`, rules }];
  const header = `# Prometheus alerting rules compiled from the backup policy of stanza "${stanza}".\n`;
  return { groups, yaml: header + stringify({ groups }, { lineWidth: 0 }) };
}
