import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  initialState,
  noteWal,
  renderScrapeMetrics,
  renderStateMetrics,
} from '../../../src/exporter/exporter-metrics.js';
import { validatePolicy } from '../../../src/policy/index.js';
import { recordedLastStop, recordedTwoRepos, twoRepoPolicyInput } from '../support/recorded-two-repos.js';

const dashboardPath = fileURLToPath(new URL('../../../../../docs/monitoring/grafana-dashboard.json', import.meta.url));

interface Target {
  expr: string;
  refId: string;
}
interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  targets?: Target[];
}

/** Every metric family the exporter serves, read from what its renderers print for a stanza with every source. */
function exportedNames(): Set<string> {
  const policy = validatePolicy(
    twoRepoPolicyInput({
      maxBackupAge: { full: '8d', diff: '26h' },
      maxArchiveLag: '15m',
      minRecoveryWindow: '7d',
      maxDrillAge: '35d',
      maxVerificationAge: '8d',
    }),
  );
  const state = initialState('demo', policy);
  const now = recordedLastStop.getTime() + 3_600_000;
  state.info = recordedTwoRepos;
  state.readAt = now;
  noteWal(state, recordedTwoRepos, now);
  state.drill = {
    repo: '1',
    values: { lastSuccess: 1, durationSeconds: 2, rpoSeconds: 3, checksFailed: 0 },
    finishedAt: 1,
  };
  state.verify = {
    generatedAt: 1,
    outcome: 'ok',
    deep: true,
    findings: { error: 0, warning: 0, info: 0 },
    backups: 1,
    restorable: 1,
    unrestorable: 0,
    bytes: 1,
    cost: { currency: 'USD', components: { storage: 1, requests: 1 }, restoreEgress: 1 },
  };
  const text = renderStateMetrics([state], new Date(now)) + renderScrapeMetrics([state], now);
  return new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1] as string));
}

describe('the Grafana dashboard', () => {
  const dashboard = JSON.parse(readFileSync(dashboardPath, 'utf8')) as {
    uid: string;
    title: string;
    panels: Panel[];
    templating: { list: { name: string; query: unknown }[] };
  };
  const panels = dashboard.panels.filter((p) => p.type !== 'row');

  it('is a dashboard with unique panel ids, a datasource and a stanza variable', () => {
    expect(dashboard.uid).toMatch(/^[a-z0-9-]+$/);
    expect(new Set(dashboard.panels.map((p) => p.id)).size).toBe(dashboard.panels.length);
    expect(dashboard.templating.list.map((v) => v.name)).toEqual(['datasource', 'stanza']);
    for (const panel of panels) {
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
      expect(panel.gridPos.w).toBeGreaterThan(0);
      for (const target of panel.targets ?? []) expect(target.expr, panel.title).toContain('stanza=~"$stanza"');
    }
  });

  it('queries only metrics the exporter exports, and shows every area the guide lists', () => {
    const exported = exportedNames();
    expect(exported.has('chronos_up')).toBe(true);
    const queried = new Set<string>();
    for (const panel of panels) {
      for (const target of panel.targets ?? []) {
        for (const match of target.expr.matchAll(/\b(?:pgbackrest|chronos)_[a-z0-9_]+\b/g)) queried.add(match[0]);
      }
    }
    const unknown = [...queried].filter((name) => !exported.has(name));
    expect(unknown).toEqual([]);
    for (const needed of [
      'chronos_up',
      'pgbackrest_backup_last_completion_timestamp_seconds',
      'pgbackrest_recovery_window_start_timestamp_seconds',
      'chronos_wal_archive_newest_seen_timestamp_seconds',
      'chronos_repo_cost_monthly',
      'chronos_repo_restore_egress_cost',
      'chronos_drill_last_success_timestamp_seconds',
      'chronos_verify_last_timestamp_seconds',
    ])
      expect(queried).toContain(needed);
  });
});
