import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { runProcess } from '../../src/exec/process.js';
import { compileAlertRules, type PrometheusAlertRule, validatePolicy } from '../../src/policy/index.js';
import { integrationGate } from '../../src/testing/index.js';
import { twoRepoPolicyInput } from '../unit/support/recorded-two-repos.js';

async function probePromtool() {
  const result = await runProcess({ file: 'promtool', args: ['--version'], timeout: 15_000 });
  return result.exitCode === 0
    ? { available: true, reason: '' }
    : { available: false, reason: 'no promtool (apt-get install -y prometheus, or run scripts/stack/prepare.sh)' };
}

const skip = await integrationGate(await probePromtool());

const policy = validatePolicy(
  twoRepoPolicyInput({
    maxBackupAge: { full: '4h', diff: '2h' },
    maxArchiveLag: '30m',
    minRecoveryWindow: '3h',
    maxDrillAge: '2h',
    maxVerificationAge: '2h',
  }),
);
const rules = compileAlertRules(policy, { job: 'chronos', runbookBase: 'https://runbooks.example/monitoring' });
const all = rules.groups.flatMap((g) => g.rules);
const stanza = policy.stanza;
const EVAL = '250m';

type Series = Record<string, number>;

/** One minute per sample for 300 minutes, each series constant. */
function inputSeries(series: Series) {
  return Object.entries(series).map(([name, value]) => ({ series: name, values: `${value}+0x300` }));
}

function expected(rule: PrometheusAlertRule, extra: Record<string, string>) {
  return {
    exp_labels: { ...rule.labels, ...extra },
    exp_annotations: {
      ...rule.annotations,
      description: rule.annotations.description.replaceAll('{{ $labels.repo }}', extra['repo'] ?? ''),
    },
  };
}

/** Every rule evaluated at EVAL: the alerts named in `firing` with their labels, all others quiet. */
function testCase(name: string, series: Series, firing: Record<string, Record<string, string>[]>) {
  return {
    name,
    interval: '1m',
    input_series: inputSeries(series),
    alert_rule_test: all.map((rule) => ({
      eval_time: EVAL,
      alertname: rule.alert,
      exp_alerts: (firing[rule.alert] ?? []).map((labels) => expected(rule, labels)),
    })),
  };
}

const s = `stanza="${stanza}"`;
// At EVAL time() is 15000.
const breaking = testCase(
  'each objective broken in repo1, kept in repo2',
  {
    [`pgbackrest_backup_last_completion_timestamp_seconds{${s},repo="1",type="full"}`]: 0,
    [`pgbackrest_backup_last_completion_timestamp_seconds{${s},repo="1",type="diff"}`]: 1000,
    [`pgbackrest_backup_last_completion_timestamp_seconds{${s},repo="2",type="full"}`]: 3600,
    [`pgbackrest_backup_last_completion_timestamp_seconds{${s},repo="2",type="diff"}`]: 12000,
    [`chronos_wal_archive_newest_seen_timestamp_seconds{${s},repo="1",archive_id="15-1"}`]: 0,
    [`chronos_wal_archive_newest_seen_timestamp_seconds{${s},repo="2",archive_id="15-1"}`]: 14000,
    [`pgbackrest_recovery_window_start_timestamp_seconds{${s}}`]: 10000,
    [`chronos_drill_last_success_timestamp_seconds{${s},repo="1"}`]: 0,
    [`chronos_verify_last_timestamp_seconds{${s}}`]: 0,
    [`chronos_verify_findings{${s},severity="error"}`]: 2,
    [`chronos_policy_status{${s}}`]: 2,
    [`up{job="chronos",instance="127.0.0.1:9847"}`]: 0,
    [`chronos_up{${s}}`]: 0,
    [`chronos_data_age_seconds{${s}}`]: 2000,
  },
  {
    ChronosFullBackupTooOld: [{ repo: '1' }],
    ChronosDiffBackupTooOld: [{ repo: '1' }],
    ChronosArchiveLag: [{ repo: '1' }],
    ChronosRecoveryWindowTooShort: [{}],
    ChronosRestoreDrillTooOld: [{}],
    ChronosVerificationTooOld: [{}],
    ChronosVerificationErrors: [{}],
    ChronosPolicyCritical: [{}],
    ChronosExporterDown: [{ job: 'chronos', instance: '127.0.0.1:9847' }],
    ChronosRepositoryUnreachable: [{}],
    ChronosExporterStale: [{}],
  },
);
const healthy = testCase(
  'every objective kept',
  {
    [`pgbackrest_backup_last_completion_timestamp_seconds{${s},repo="1",type="full"}`]: 3600,
    [`pgbackrest_backup_last_completion_timestamp_seconds{${s},repo="1",type="diff"}`]: 12000,
    [`chronos_wal_archive_newest_seen_timestamp_seconds{${s},repo="1",archive_id="15-1"}`]: 14000,
    [`pgbackrest_recovery_window_start_timestamp_seconds{${s}}`]: 0,
    [`chronos_drill_last_success_timestamp_seconds{${s},repo="1"}`]: 14000,
    [`chronos_verify_last_timestamp_seconds{${s}}`]: 14000,
    [`chronos_verify_findings{${s},severity="error"}`]: 0,
    [`chronos_policy_status{${s}}`]: 0,
    [`up{job="chronos",instance="127.0.0.1:9847"}`]: 1,
    [`chronos_up{${s}}`]: 1,
    [`chronos_data_age_seconds{${s}}`]: 30,
  },
  {},
);
const unknown = testCase(
  'no drill and no verification known while the exporter is up',
  { [`up{job="chronos",instance="127.0.0.1:9847"}`]: 1, [`chronos_up{${s}}`]: 1 },
  { ChronosRestoreDrillTooOld: [{}], ChronosVerificationTooOld: [{}] },
);
const nothing = testCase(
  'nothing scraped at all: only the exporter is missing',
  {},
  {
    ChronosExporterDown: [{ job: 'chronos' }],
  },
);

describe.skipIf(skip)('alert rules compiled from a policy, checked by promtool', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'chronos-rules-'));
    await writeFile(join(dir, 'rules.yml'), rules.yaml);
    await writeFile(
      join(dir, 'rules.test.yml'),
      stringify({ rule_files: ['rules.yml'], evaluation_interval: '1m', tests: [breaking, healthy, unknown, nothing] }),
    );
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('covers every objective of the policy and the exporter, each with a severity and a runbook', () => {
    expect(all.map((r) => r.alert).sort()).toEqual(
      [
        'ChronosArchiveLag',
        'ChronosDiffBackupTooOld',
        'ChronosExporterDown',
        'ChronosExporterStale',
        'ChronosFullBackupTooOld',
        'ChronosPolicyCritical',
        'ChronosRecoveryWindowTooShort',
        'ChronosRepositoryUnreachable',
        'ChronosRestoreDrillTooOld',
        'ChronosVerificationErrors',
        'ChronosVerificationTooOld',
      ].sort(),
    );
  });

  it('passes promtool check rules', async () => {
    const result = await runProcess({
      file: 'promtool',
      args: ['check', 'rules', join(dir, 'rules.yml')],
      timeout: 30_000,
    });
    expect(result.stdout + result.stderr).toContain(`SUCCESS: ${all.length} rules found`);
    expect(result.exitCode).toBe(0);
  });

  it('passes promtool test rules: each rule fires when its objective is broken and stays quiet when kept', async () => {
    const result = await runProcess({
      file: 'promtool',
      args: ['test', 'rules', join(dir, 'rules.test.yml')],
      cwd: dir,
      timeout: 60_000,
    });
    expect(result.stdout + result.stderr).toContain('SUCCESS');
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
  });

  it('fails promtool test rules when an expectation is wrong (the test can fail)', async () => {
    const wrong = testCase(
      'a healthy stanza said to be paged',
      healthy.input_series.reduce<Series>((acc, item) => {
        acc[item.series] = Number(item.values.split('+')[0]);
        return acc;
      }, {}),
      { ChronosFullBackupTooOld: [{ repo: '1' }] },
    );
    await writeFile(join(dir, 'wrong.test.yml'), stringify({ rule_files: ['rules.yml'], tests: [wrong] }));
    const result = await runProcess({
      file: 'promtool',
      args: ['test', 'rules', join(dir, 'wrong.test.yml')],
      cwd: dir,
      timeout: 60_000,
    });
    expect(result.exitCode).toBe(1);
    expect(result.stdout + result.stderr).toContain('ChronosFullBackupTooOld');
  });
});
