import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { describe, expect, it } from 'vitest';
import { parseInfo } from '../../../src/info/index.js';
import { Exposition, renderMetrics } from '../../../src/metrics/index.js';
import { walPosition } from '../../../src/metrics/render-metrics.js';
import { validatePolicy } from '../../../src/policy/index.js';
import { infoFixture, recordedLastStop, recordedTwoRepos, twoRepoPolicyInput } from '../support/recorded-two-repos.js';

const recorded = recordedTwoRepos;
const now = new Date(recordedLastStop.getTime() + 3_600_000);

const policy = validatePolicy(
  twoRepoPolicyInput({ maxBackupAge: { full: '8d', diff: '26h' }, minRecoveryWindow: '7d' }),
);

type Families = ReturnType<typeof parsePrometheusTextFormat>;

function sample(families: Families, name: string, labels: Record<string, string>): number | undefined {
  const family = families.find((f) => f.name === name);
  const found = family?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
  return found === undefined ? undefined : Number(found.value);
}

describe('renderMetrics', () => {
  const text = renderMetrics(recorded, { now, policy });
  const families = parsePrometheusTextFormat(text);

  it('produces text a Prometheus parser reads, one HELP and TYPE per family', () => {
    expect(families.length).toBeGreaterThan(20);
    const helpLines = text.split('\n').filter((l) => l.startsWith('# HELP '));
    const typeLines = text.split('\n').filter((l) => l.startsWith('# TYPE '));
    expect(helpLines).toHaveLength(families.length);
    expect(typeLines).toHaveLength(families.length);
    expect(new Set(families.map((f) => f.name)).size).toBe(families.length);
    for (const family of families) {
      expect(family.help).not.toBe('');
      expect(family.type).toBe('GAUGE');
      expect(family.name).not.toMatch(/_total$/);
      expect(family.name).toMatch(/^(pgbackrest|chronos)_[a-z_]+$/);
    }
  });

  it('has no duplicate series and samples of a family stay together', () => {
    const seen = new Set<string>();
    let current = '';
    const closed = new Set<string>();
    for (const line of text.split('\n')) {
      if (line === '' || line.startsWith('#')) continue;
      const name = line.slice(0, line.search(/[{ ]/));
      if (name !== current) {
        expect(closed.has(name)).toBe(false);
        closed.add(current);
        current = name;
      }
      const series = line.slice(0, line.lastIndexOf(' '));
      expect(seen.has(series)).toBe(false);
      seen.add(series);
    }
  });

  it('exports status, ages, sizes and the archive in base units', () => {
    expect(sample(families, 'pgbackrest_stanza_status', { stanza: 'demo' })).toBe(0);
    expect(sample(families, 'pgbackrest_repo_encrypted', { stanza: 'demo', repo: '1' })).toBe(1);
    expect(sample(families, 'pgbackrest_repo_encrypted', { stanza: 'demo', repo: '2' })).toBe(0);
    expect(sample(families, 'pgbackrest_backup_last_age_seconds', { repo: '1', type: 'full' })).toBe(
      3600 + 1795497721 - 1795497711,
    );
    expect(sample(families, 'pgbackrest_backup_last_age_seconds', { repo: '1', type: 'diff' })).toBe(3600);
    expect(sample(families, 'pgbackrest_backup_size_bytes', { repo: '1', backup: '20261124-052144F' })).toBe(85898929);
    expect(sample(families, 'pgbackrest_backup_repo_size_bytes', { repo: '1', backup: '20261124-052144F' })).toBe(
      6437440,
    );
    expect(
      sample(families, 'pgbackrest_backup_duration_seconds', { backup: '20261124-052144F_20261124-052158D' }),
    ).toBe(3);
    expect(sample(families, 'pgbackrest_backups', { repo: '2', type: 'diff' })).toBe(0);
    expect(sample(families, 'pgbackrest_wal_archive_max_position', { repo: '1', archive_id: '15-1' })).toBe(0x0b);
    expect(sample(families, 'pgbackrest_wal_archive_min_timeline', { repo: '2', archive_id: '15-1' })).toBe(1);
    expect(sample(families, 'pgbackrest_stanza_backup_running', { stanza: 'demo' })).toBe(0);
  });

  it('exports the policy objectives and verdicts', () => {
    expect(sample(families, 'chronos_policy_status', { stanza: 'demo' })).toBe(2);
    expect(
      sample(families, 'chronos_policy_finding', { code: 'recovery-window.too-short', severity: 'critical' }),
    ).toBe(1);
    expect(sample(families, 'chronos_policy_findings', { severity: 'critical' })).toBe(1);
    expect(sample(families, 'chronos_policy_backup_max_age_seconds', { type: 'diff' })).toBe(26 * 3600);
    expect(sample(families, 'chronos_policy_min_recovery_window_seconds', {})).toBe(7 * 86400);
    expect(sample(families, 'chronos_policy_copies', {})).toBe(3);
    expect(sample(families, 'chronos_policy_offsite_copies_required', {})).toBe(1);
  });

  it('leaves the policy out when none is given', () => {
    expect(renderMetrics(recorded, { now })).not.toContain('chronos_policy');
  });

  it('exports backup progress while a backup runs (2.48 lock fields)', () => {
    const running = parsePrometheusTextFormat(
      renderMetrics(parseInfo(infoFixture('hand-2.48-backup-running.json')), { now }),
    );
    expect(sample(running, 'pgbackrest_stanza_backup_running', { stanza: 'demo' })).toBe(1);
    expect(sample(running, 'pgbackrest_stanza_backup_total_bytes', { stanza: 'demo' })).toBe(85898929);
    expect(sample(running, 'pgbackrest_stanza_backup_completed_bytes', { stanza: 'demo' })).toBe(42949464);
  });
});

describe('Exposition', () => {
  it('escapes label values and help text', () => {
    const text = new Exposition()
      .gauge('x_bytes', 'Help with \\ and\nnewline.', { path: 'C:\\dir "q"\nx' }, 1.5)
      .render();
    expect(text).toBe(
      '# HELP x_bytes Help with \\\\ and\\nnewline.\n# TYPE x_bytes gauge\nx_bytes{path="C:\\\\dir \\"q\\"\\nx"} 1.5\n',
    );
    const [family] = parsePrometheusTextFormat(text);
    expect(family?.metrics[0]?.labels).toEqual({ path: 'C:\\dir "q"\nx' });
  });

  it('keeps _total for counters only', () => {
    expect(() => new Exposition().gauge('a_total', 'h', {}, 1)).toThrowError(/_total is for counters only/);
    expect(() => new Exposition().counter('a_runs', 'h', {}, 1)).toThrowError(/must end in _total/);
    expect(new Exposition().counter('a_runs_total', 'h', {}, 2).render()).toContain('# TYPE a_runs_total counter');
  });
});

describe('walPosition', () => {
  it('orders segments across log boundaries without a segment size', () => {
    expect(walPosition('0000000100000001000000FF')).toBeLessThan(walPosition('000000010000000200000000'));
    expect(walPosition('00000002000000000000000A')).toBe(10);
  });
});
