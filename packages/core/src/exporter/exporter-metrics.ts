import { analyzeInfo } from '../analysis/index.js';
import type { Info } from '../info/index.js';
import { Exposition } from '../metrics/exposition.js';
import { policyVerdicts, stanzaFacts } from '../metrics/render-metrics.js';
import type { Policy } from '../policy/schema.js';
import { durationSeconds as durationSecondsOf } from '../policy/units.js';
import type { DrillFacts, VerifyFacts } from './report-files.js';

/** Why a refresh of a stanza failed: pgBackRest's error kinds, `report` for a drill or verify file, `other`. */
export type RefreshErrorKind =
  | 'timeout'
  | 'aborted'
  | 'exit'
  | 'spawn'
  | 'configuration'
  | 'output'
  | 'report'
  | 'other';

/** The refresh error kinds, in the order their counters are exported. */
export const REFRESH_ERROR_KINDS: readonly RefreshErrorKind[] = [
  'timeout',
  'aborted',
  'exit',
  'spawn',
  'configuration',
  'output',
  'report',
  'other',
];

/** What the exporter holds for one stanza between refreshes. */
export interface StanzaState {
  readonly stanza: string;
  readonly policy: Policy | undefined;
  /** The newest info pgBackRest gave (kept when a later refresh fails). */
  info: Info | undefined;
  /** Epoch milliseconds `info` was read. */
  readAt: number | undefined;
  /** The last refresh read info and every repository of the stanza answered. */
  up: boolean;
  /** The last refresh finished without an error. */
  refreshSuccess: boolean;
  refreshing: boolean;
  lastDurationSeconds: number | undefined;
  refreshes: number;
  readonly errors: Map<RefreshErrorKind, number>;
  drill: DrillFacts | undefined;
  verify: VerifyFacts | undefined;
  /** Newest archived segment per repository and archive id, and when the exporter first saw it there. */
  readonly walSeen: Map<string, { readonly repo: string; readonly archiveId: string; max: string; seenAt: number }>;
}

/**
 * A fresh state for a stanza that has not been refreshed yet.
 *
 * @example
 * const state = initialState('main', undefined);
 */
export function initialState(stanza: string, policy: Policy | undefined): StanzaState {
  return {
    stanza,
    policy,
    info: undefined,
    readAt: undefined,
    up: false,
    refreshSuccess: false,
    refreshing: false,
    lastDurationSeconds: undefined,
    refreshes: 0,
    errors: new Map(),
    drill: undefined,
    verify: undefined,
    walSeen: new Map(),
  };
}

const OUTCOME_LEVEL = { ok: 0, findings: 1, unverified: 2 } as const;

function exporterFacts(out: Exposition, state: StanzaState): void {
  const s = { stanza: state.stanza };
  out.gauge(
    'chronos_up',
    '1 when the last refresh read info from pgBackRest and every repository of the stanza answered.',
    s,
    state.up ? 1 : 0,
  );
  out.gauge(
    'chronos_refresh_success',
    '1 when the last refresh of the stanza finished without an error.',
    s,
    state.refreshSuccess ? 1 : 0,
  );
  out.gauge('chronos_refresh_in_progress', '1 while a refresh of the stanza runs.', s, state.refreshing ? 1 : 0);
  out.declare('chronos_refresh_duration_seconds', 'gauge', 'Wall time of the last finished refresh of the stanza.');
  if (state.lastDurationSeconds !== undefined)
    out.gauge(
      'chronos_refresh_duration_seconds',
      'Wall time of the last finished refresh of the stanza.',
      s,
      state.lastDurationSeconds,
    );
  out.declare('chronos_last_refresh_success_timestamp_seconds', 'gauge', 'Unix time the data held was read.');
  if (state.readAt !== undefined)
    out.gauge(
      'chronos_last_refresh_success_timestamp_seconds',
      'Unix time the data held was read.',
      s,
      state.readAt / 1000,
    );
  out.counter(
    'chronos_refreshes_total',
    'Refreshes of the stanza finished since the exporter started.',
    s,
    state.refreshes,
  );
  for (const kind of REFRESH_ERROR_KINDS) {
    out.counter(
      'chronos_refresh_errors_total',
      'Failed refreshes of the stanza by kind of error (timeout, exit, spawn, report, …).',
      { ...s, kind },
      state.errors.get(kind) ?? 0,
    );
  }
}

function walFacts(out: Exposition, state: StanzaState): void {
  out.declare(
    'chronos_wal_archive_newest_seen_timestamp_seconds',
    'gauge',
    'Unix time the exporter first saw the newest archived WAL segment (archiving stalls when this stops moving).',
  );
  for (const seen of state.walSeen.values()) {
    out.gauge(
      'chronos_wal_archive_newest_seen_timestamp_seconds',
      'Unix time the exporter first saw the newest archived WAL segment (archiving stalls when this stops moving).',
      { stanza: state.stanza, repo: seen.repo, archive_id: seen.archiveId },
      seen.seenAt / 1000,
    );
  }
}

function drillFacts(out: Exposition, state: StanzaState): void {
  const help = {
    last: 'Unix time of the newest restore drill that restored, recovered and passed every check.',
    finished: 'Unix time the newest restore drill finished, proven or not.',
    duration: 'Wall time of the newest restore drill.',
    rpo: "Seconds between the newest drill's last replayed commit and its end.",
    failed: 'Checks the newest restore drill failed (1 when it could not run).',
  };
  out.declare('chronos_drill_last_success_timestamp_seconds', 'gauge', help.last);
  out.declare('chronos_drill_finished_timestamp_seconds', 'gauge', help.finished);
  out.declare('chronos_drill_duration_seconds', 'gauge', help.duration);
  out.declare('chronos_drill_rpo_seconds', 'gauge', help.rpo);
  out.declare('chronos_drill_checks_failed', 'gauge', help.failed);
  const drill = state.drill;
  if (!drill) return;
  const l = { stanza: state.stanza, ...(drill.repo === undefined ? {} : { repo: drill.repo }) };
  if (drill.values.lastSuccess !== undefined)
    out.gauge('chronos_drill_last_success_timestamp_seconds', help.last, l, drill.values.lastSuccess);
  if (drill.finishedAt !== undefined)
    out.gauge('chronos_drill_finished_timestamp_seconds', help.finished, l, drill.finishedAt);
  out.gauge('chronos_drill_duration_seconds', help.duration, l, drill.values.durationSeconds);
  if (drill.values.rpoSeconds !== undefined)
    out.gauge('chronos_drill_rpo_seconds', help.rpo, l, drill.values.rpoSeconds);
  out.gauge('chronos_drill_checks_failed', help.failed, l, drill.values.checksFailed);
}

function verifyFacts(out: Exposition, state: StanzaState): void {
  const help = {
    time: 'Unix time of the newest verify-s3 / verify-repo report of the stanza.',
    outcome: 'Outcome of the newest verification: 0 ok, 1 findings, 2 unverified.',
    deep: '1 when the newest verification read every backup file and WAL segment (--deep).',
    findings: 'Findings of the newest verification by severity.',
    backups: 'Backups the newest verification judged, by restorability (true, false, unknown).',
    bytes: 'Bytes the stanza occupies in the repository, as the newest verification listed them.',
    cost: 'Estimated monthly cost of the repository by component (storage, requests), from the newest verification.',
    egress: 'Estimated egress cost of one full restore out of the region, from the newest verification.',
  };
  for (const [name, type] of [
    ['chronos_verify_last_timestamp_seconds', help.time],
    ['chronos_verify_outcome', help.outcome],
    ['chronos_verify_deep', help.deep],
    ['chronos_verify_findings', help.findings],
    ['chronos_verify_backups', help.backups],
    ['chronos_verify_repo_bytes', help.bytes],
    ['chronos_repo_cost_monthly', help.cost],
    ['chronos_repo_restore_egress_cost', help.egress],
  ] as const)
    out.declare(name, 'gauge', type);
  const verify = state.verify;
  if (!verify) return;
  const s = { stanza: state.stanza };
  out.gauge('chronos_verify_last_timestamp_seconds', help.time, s, verify.generatedAt);
  out.gauge('chronos_verify_outcome', help.outcome, s, OUTCOME_LEVEL[verify.outcome]);
  out.gauge('chronos_verify_deep', help.deep, s, verify.deep ? 1 : 0);
  for (const severity of ['error', 'warning', 'info'] as const)
    out.gauge('chronos_verify_findings', help.findings, { ...s, severity }, verify.findings[severity]);
  out.gauge('chronos_verify_backups', help.backups, { ...s, restorable: 'true' }, verify.restorable);
  out.gauge('chronos_verify_backups', help.backups, { ...s, restorable: 'false' }, verify.unrestorable);
  out.gauge(
    'chronos_verify_backups',
    help.backups,
    { ...s, restorable: 'unknown' },
    verify.backups - verify.restorable - verify.unrestorable,
  );
  out.gauge('chronos_verify_repo_bytes', help.bytes, s, verify.bytes);
  if (verify.cost) {
    for (const [component, value] of Object.entries(verify.cost.components))
      out.gauge('chronos_repo_cost_monthly', help.cost, { ...s, component, currency: verify.cost.currency }, value);
    if (verify.cost.restoreEgress !== undefined)
      out.gauge(
        'chronos_repo_restore_egress_cost',
        help.egress,
        { ...s, currency: verify.cost.currency },
        verify.cost.restoreEgress,
      );
  }
}

/**
 * The part of a scrape that changes only when a refresh finishes: pgBackRest's facts, the policies' verdicts, the
 * drill and verification results and the exporter's own refresh gauges, for every stanza.
 *
 * @example
 * const body = renderStateMetrics([state], new Date());
 */
export function renderStateMetrics(states: readonly StanzaState[], now: Date): string {
  const out = new Exposition();
  for (const state of states) exporterFacts(out, state);
  const infos = states.flatMap((state) => (state.info ?? []).filter((stanza) => stanza.name === state.stanza));
  const analysis = analyzeInfo(infos, { now });
  for (const stanza of analysis.stanzas) stanzaFacts(out, stanza, now);
  for (const state of states) {
    walFacts(out, state);
    drillFacts(out, state);
    verifyFacts(out, state);
  }
  for (const state of states) {
    if (!state.policy || !state.info) continue;
    const lastDrillSuccess =
      state.drill === undefined
        ? undefined
        : state.drill.values.lastSuccess === undefined
          ? null
          : new Date(state.drill.values.lastSuccess * 1000);
    policyVerdicts(out, analysis, {
      now,
      policy: state.policy,
      stanza: state.stanza,
      ...(lastDrillSuccess === undefined ? {} : { lastDrillSuccess }),
    });
    const limit = state.policy.objectives.maxVerificationAge;
    if (limit !== undefined) {
      out.gauge(
        'chronos_policy_max_verification_age_seconds',
        'Objective: maximum time since the newest verification of the repository.',
        { stanza: state.stanza },
        durationSecondsOf(limit),
      );
    }
  }
  return out.render();
}

/**
 * The part of a scrape computed at scrape time: the age of the data held per stanza (`+Inf` before the first
 * successful refresh).
 *
 * @example
 * renderScrapeMetrics([state], Date.now());
 */
export function renderScrapeMetrics(states: readonly StanzaState[], nowMs: number): string {
  const out = new Exposition();
  out.declare('chronos_data_age_seconds', 'gauge', 'Seconds since the data served for the stanza was read.');
  for (const state of states) {
    out.gauge(
      'chronos_data_age_seconds',
      'Seconds since the data served for the stanza was read.',
      { stanza: state.stanza },
      state.readAt === undefined ? Number.POSITIVE_INFINITY : (nowMs - state.readAt) / 1000,
    );
  }
  return out.render();
}

/**
 * Records the newest archived segment of every repository and archive of `info`, keeping the time it was first seen.
 *
 * @example
 * noteWal(state, info, Date.now());
 */
export function noteWal(state: StanzaState, info: Info, nowMs: number): void {
  const analysis = analyzeInfo(info, { now: new Date(nowMs) });
  for (const stanza of analysis.stanzas) {
    if (stanza.name !== state.stanza) continue;
    for (const repo of stanza.repositories) {
      for (const archive of repo.archives) {
        if (!archive.max) continue;
        const key = `${repo.key}/${archive.archiveId}`;
        const seen = state.walSeen.get(key);
        if (seen?.max === archive.max) continue;
        state.walSeen.set(key, {
          repo: String(repo.key),
          archiveId: archive.archiveId,
          max: archive.max,
          seenAt: nowMs,
        });
      }
    }
  }
}
