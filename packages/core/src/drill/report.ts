import { Exposition } from '../metrics/exposition.js';
import type { DrillCheckResult } from './checks.js';

/** The version of the {@link DrillReport} shape; bumped on any incompatible change. */
export const DRILL_REPORT_SCHEMA_VERSION = 1;

/** What a finished restore drill proved, as data. */
export interface DrillReport {
  readonly schemaVersion: typeof DRILL_REPORT_SCHEMA_VERSION;
  readonly kind: 'chronos-restore-drill';
  /** `proven`: restored, recovered to the target, every check passed; `check-failed`: at least one check failed. */
  readonly outcome: 'proven' | 'check-failed';
  readonly stanza: string;
  readonly repo: number;
  /** The backup set restored. */
  readonly set: string;
  readonly target: { readonly type: string; readonly value?: string };
  /** PostgreSQL major version of the restored cluster. */
  readonly pgVersion: string;
  readonly scratch: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  /** Seconds for each step; `rto` is restore + start + recovery. */
  readonly timings: {
    readonly restoreSeconds: number;
    readonly startSeconds: number;
    readonly recoverySeconds: number;
    readonly checksSeconds: number;
    readonly rtoSeconds: number;
    readonly totalSeconds: number;
  };
  /** How far the restored cluster got: last replayed commit against the target and against the drill's end. */
  readonly rpo: {
    readonly lastReplayedCommit: string | null;
    readonly lastReplayedLsn: string | null;
    /** Seconds from the last replayed commit to the drill's end (null when nothing was replayed past the backup). */
    readonly behindNowSeconds: number | null;
    /** Seconds from the last replayed commit to a time target (null for other targets). */
    readonly behindTargetSeconds: number | null;
  };
  readonly checks: readonly DrillCheckResult[];
  readonly checksFailed: number;
  /** Present when the drill was kept: how to reach and remove it. */
  readonly kept?: { readonly connect: string; readonly remove: string };
}

/** Labels of the drill gauges. */
export interface DrillMetricLabels {
  readonly stanza: string;
  readonly repo: string;
}

/** The values of the drill gauges (from a report, or a failed run). */
export interface DrillMetricValues {
  /** Seconds since the epoch of the newest proven drill; undefined when none is known. */
  readonly lastSuccess?: number;
  readonly durationSeconds: number;
  /** Undefined when unknown (the drill did not get that far). */
  readonly rpoSeconds?: number;
  /** Failed checks; a drill that could not run counts as one. */
  readonly checksFailed: number;
}

/**
 * The drill gauges in the Prometheus text format (for the node_exporter textfile collector):
 * `chronos_drill_last_success_timestamp_seconds`, `chronos_drill_duration_seconds`, `chronos_drill_rpo_seconds`,
 * `chronos_drill_checks_failed`, each labelled by stanza and repository.
 *
 * @example
 * renderDrillMetrics({ stanza: 'main', repo: '1' }, { lastSuccess: 1764637200, durationSeconds: 42, rpoSeconds: 3, checksFailed: 0 });
 */
export function renderDrillMetrics(labels: DrillMetricLabels, values: DrillMetricValues): string {
  const exposition = new Exposition();
  const l = { stanza: labels.stanza, repo: labels.repo };
  exposition.declare(
    'chronos_drill_last_success_timestamp_seconds',
    'gauge',
    'Unix time of the newest restore drill that restored, recovered and passed every check.',
  );
  if (values.lastSuccess !== undefined) {
    exposition.gauge(
      'chronos_drill_last_success_timestamp_seconds',
      'Unix time of the newest restore drill that restored, recovered and passed every check.',
      l,
      values.lastSuccess,
    );
  }
  exposition.gauge(
    'chronos_drill_duration_seconds',
    'Wall time of the newest restore drill.',
    l,
    values.durationSeconds,
  );
  exposition.declare(
    'chronos_drill_rpo_seconds',
    'gauge',
    "Seconds between the newest drill's last replayed commit and its end.",
  );
  if (values.rpoSeconds !== undefined) {
    exposition.gauge(
      'chronos_drill_rpo_seconds',
      "Seconds between the newest drill's last replayed commit and its end.",
      l,
      values.rpoSeconds,
    );
  }
  exposition.gauge(
    'chronos_drill_checks_failed',
    'Checks the newest restore drill failed (1 when it could not run).',
    l,
    values.checksFailed,
  );
  return exposition.render();
}

/**
 * The metric values of a finished drill.
 *
 * @example
 * renderDrillMetrics({ stanza: report.stanza, repo: String(report.repo) }, drillMetricValues(report));
 */
export function drillMetricValues(report: DrillReport, previousSuccess?: number): DrillMetricValues {
  const finished = Math.floor(Date.parse(report.finishedAt) / 1000);
  const lastSuccess = report.outcome === 'proven' ? finished : previousSuccess;
  return {
    ...(lastSuccess === undefined ? {} : { lastSuccess }),
    durationSeconds: report.timings.totalSeconds,
    ...(report.rpo.behindNowSeconds === null ? {} : { rpoSeconds: report.rpo.behindNowSeconds }),
    checksFailed: report.checksFailed,
  };
}

/**
 * Reads `chronos_drill_last_success_timestamp_seconds` for a stanza and repository from a textfile written before
 * (so a failed drill keeps the previous success), or undefined.
 *
 * @example
 * previousDrillSuccess(readFileSync('/var/lib/node_exporter/textfile/drill.prom', 'utf8'), { stanza: 'main', repo: '1' });
 */
export function previousDrillSuccess(text: string, labels: DrillMetricLabels): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^chronos_drill_last_success_timestamp_seconds\{([^}]*)\}\s+([0-9.e+]+)/.exec(line);
    if (!match) continue;
    const found = Object.fromEntries([...match[1]!.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (found['stanza'] === labels.stanza && found['repo'] === labels.repo) return Number(match[2]);
  }
  return undefined;
}

/**
 * The repository label of a stanza's drill gauges in a textfile written before, or undefined.
 *
 * @example
 * previousDrillRepo('chronos_drill_checks_failed{stanza="main",repo="2"} 0\n', 'main'); // '2'
 */
export function previousDrillRepo(text: string, stanza: string): string | undefined {
  for (const line of text.split('\n')) {
    const match = /^chronos_drill_\w+\{([^}]*)\}/.exec(line);
    if (!match) continue;
    const found = Object.fromEntries([...match[1]!.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (found['stanza'] === stanza && found['repo'] !== undefined) return found['repo'];
  }
  return undefined;
}

/**
 * The report as a table for people: the verdict, timings, RPO and one line per check.
 *
 * @example
 * console.log(formatDrillReport(report));
 */
export function formatDrillReport(report: DrillReport): string {
  const rows: [string, string][] = [
    ['outcome', report.outcome === 'proven' ? 'PROVEN' : `CHECK FAILED (${report.checksFailed})`],
    ['stanza', `${report.stanza} (repo${report.repo}, set ${report.set})`],
    ['target', report.target.value === undefined ? report.target.type : `${report.target.type} ${report.target.value}`],
    ['PostgreSQL', report.pgVersion],
    [
      'RTO',
      `${report.timings.rtoSeconds} s (restore ${report.timings.restoreSeconds} s, start ${report.timings.startSeconds} s, recovery ${report.timings.recoverySeconds} s)`,
    ],
    ['last commit', report.rpo.lastReplayedCommit ?? 'none replayed after the backup'],
    [
      'RPO',
      report.rpo.behindNowSeconds === null
        ? 'unknown'
        : `${report.rpo.behindNowSeconds} s behind now${report.rpo.behindTargetSeconds === null ? '' : `, ${report.rpo.behindTargetSeconds} s before the target`}`,
    ],
    ['total', `${report.timings.totalSeconds} s`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  const head = rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`);
  const nameWidth = Math.max(5, ...report.checks.map((c) => c.name.length));
  const checks = report.checks.map(
    (c) =>
      `  ${c.status.toUpperCase().padEnd(7)} ${c.name.padEnd(nameWidth)}  ${c.durationSeconds.toFixed(2)} s  ${c.detail}`,
  );
  const kept =
    report.kept === undefined
      ? []
      : ['', `kept: connect with  ${report.kept.connect}`, `      remove with   ${report.kept.remove}`];
  return [...head, '', `checks (${report.checks.length}):`, ...checks, ...kept].join('\n');
}

/**
 * When the newest drill proved the backup, read from what a drill wrote: its JSON report (or the CLI's `--json`
 * envelope around it) or its Prometheus textfile. `null` when the file shows no proven drill.
 *
 * @example
 * lastDrillSuccess(readFileSync('/var/lib/chronos/drill.prom', 'utf8'), { stanza: 'main' });
 */
export function lastDrillSuccess(
  text: string,
  labels: { readonly stanza: string; readonly repo?: string },
): Date | null {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    const document = JSON.parse(trimmed) as { result?: Partial<DrillReport> } & Partial<DrillReport>;
    const report = document.kind === 'chronos-restore-drill' ? document : document.result;
    if (report?.kind !== 'chronos-restore-drill') throw new RangeError('not a restore drill report');
    if (report.stanza !== labels.stanza) return null;
    return report.outcome === 'proven' && report.finishedAt !== undefined ? new Date(report.finishedAt) : null;
  }
  let newest: number | undefined;
  for (const line of trimmed.split('\n')) {
    const match = /^chronos_drill_last_success_timestamp_seconds\{([^}]*)\}\s+([0-9.e+]+)/.exec(line);
    if (!match) continue;
    const found = Object.fromEntries([...match[1]!.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (found['stanza'] !== labels.stanza || (labels.repo !== undefined && found['repo'] !== labels.repo)) continue;
    newest = Math.max(newest ?? 0, Number(match[2]));
  }
  return newest === undefined ? null : new Date(newest * 1000);
}
