import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ALERT_SEVERITY, RUNBOOK_ANCHORS } from '../../../src/policy/compile-alert-rules.js';
import { compileAlertRules, evaluatePolicy, validatePolicy } from '../../../src/policy/index.js';
import { recordedLastStop, recordedTwoRepos, twoRepoPolicyInput } from '../support/recorded-two-repos.js';

describe('compileAlertRules', () => {
  it('gives each alert the severity the policy evaluation gives the same broken objective', () => {
    const policy = validatePolicy(
      twoRepoPolicyInput({ maxBackupAge: { full: '1h' }, minRecoveryWindow: '400d', maxDrillAge: '1d' }),
    );
    const now = new Date(recordedLastStop.getTime() + 30 * 86_400_000);
    const findings = evaluatePolicy(policy, recordedTwoRepos, { now, lastDrillSuccess: null }).findings;
    const severityOf = (code: string) => findings.find((f) => f.code === code)?.severity;
    expect(severityOf('backup.too-old')).toBe(ALERT_SEVERITY['backup.too-old']);
    expect(severityOf('recovery-window.too-short')).toBe(ALERT_SEVERITY['recovery-window.too-short']);
    expect(severityOf('drill.never')).toBe(ALERT_SEVERITY['drill.too-old']);
    const rules = compileAlertRules(policy).groups[0]!.rules;
    const full = rules.find((r) => r.alert === 'ChronosFullBackupTooOld');
    expect(full?.labels).toEqual({ severity: 'critical', stanza: 'demo' });
    expect(full?.expr).toContain('> 3600');
    expect(full?.annotations.runbook_url).toBe('docs/guides/monitoring.md#backup-too-old');
  });

  it('compiles only the objectives the policy states, for the stanza and job given', () => {
    const policy = validatePolicy(twoRepoPolicyInput({ maxBackupAge: { diff: '26h' } }));
    const compiled = compileAlertRules(policy, { stanza: 'other', job: 'pgbr', runbookBase: 'https://wiki/x' });
    const names = compiled.groups[0]!.rules.map((r) => r.alert);
    expect(names).toEqual([
      'ChronosDiffBackupTooOld',
      'ChronosPolicyCritical',
      'ChronosExporterDown',
      'ChronosRepositoryUnreachable',
      'ChronosExporterStale',
    ]);
    const diff = compiled.groups[0]!.rules[0]!;
    expect(diff.expr).toBe(
      'time() - max by (stanza, repo) (pgbackrest_backup_last_completion_timestamp_seconds{stanza="other", type=~"full|diff"}) > 93600',
    );
    expect(compiled.groups[0]!.rules[2]!.expr).toContain('up{job="pgbr"}');
    expect(compiled.yaml).toContain('runbook_url: https://wiki/x#backup-too-old');
    expect(() => compileAlertRules(policy, { staleAfter: 'soon' })).toThrow(RangeError);
  });

  it('points every runbook link at a section of the monitoring guide', () => {
    const guide = readFileSync(
      fileURLToPath(new URL('../../../../../docs/guides/monitoring.md', import.meta.url)),
      'utf8',
    );
    const anchors = new Set(
      [...guide.matchAll(/^#{2,4} (.+)$/gm)].map((m) => (m[1] as string).trim().toLowerCase().replaceAll(' ', '-')),
    );
    for (const anchor of Object.values(RUNBOOK_ANCHORS)) expect(anchors, anchor).toContain(anchor);
  });
});
