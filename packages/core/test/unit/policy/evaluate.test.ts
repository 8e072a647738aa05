import { describe, expect, it } from 'vitest';
import { analyzeInfo } from '../../../src/analysis/index.js';
import { parseInfo } from '../../../src/info/index.js';
import { evaluatePolicy, type PolicyInput, validatePolicy } from '../../../src/policy/index.js';
import { infoFixture, recordedLastStop, recordedTwoRepos, twoRepoPolicyInput } from '../support/recorded-two-repos.js';

const recorded = recordedTwoRepos;
const lastStop = recordedLastStop;
const hoursAfter = (hours: number) => new Date(lastStop.getTime() + hours * 3_600_000);

const policyInput = twoRepoPolicyInput({
  maxBackupAge: { full: '8d', diff: '26h' },
  minRecoveryWindow: '30m',
  maxArchiveLag: '15m',
});

function policy(change: (doc: PolicyInput) => void = () => {}) {
  const doc = structuredClone(policyInput);
  change(doc);
  return validatePolicy(doc);
}

const codes = (evaluation: ReturnType<typeof evaluatePolicy>) =>
  evaluation.findings.map((f) => `${f.severity}:${f.code}${f.repoKey ? `@repo${f.repoKey}` : ''}`);

describe('evaluatePolicy on a recorded repository', () => {
  it('finds nothing wrong an hour after the backups', () => {
    const evaluation = evaluatePolicy(policy(), recorded, { now: hoursAfter(1), lastArchivedAt: hoursAfter(0.9) });
    expect(codes(evaluation)).toEqual([]);
    expect(evaluation.status).toBe('ok');
    expect(evaluation.redundancy).toEqual({
      copies: 3,
      storageKinds: 2,
      offsiteCopies: 1,
      repositoriesWithValidBackups: ['offsite', 'local'],
    });
  });

  it('accepts an analysis as well as parsed info', () => {
    const now = hoursAfter(30);
    expect(evaluatePolicy(policy(), analyzeInfo(recorded, { now }), { now })).toEqual(
      evaluatePolicy(policy(), recorded, { now }),
    );
  });

  it('flags backups older than the objectives, per repository and type', () => {
    const evaluation = evaluatePolicy(policy(), recorded, { now: hoursAfter(30) });
    expect(codes(evaluation)).toEqual([
      'critical:backup.too-old@repo1',
      'critical:backup.too-old@repo2',
      'info:archive.lag-unknown',
    ]);
    const [repo1] = evaluation.findings;
    expect(repo1).toMatchObject({
      backupType: 'diff',
      backupLabel: '20261124-052144F_20261124-052158D',
      required: 26 * 3600,
    });
    expect(repo1?.observed).toBeCloseTo(30 * 3600, 0);
    // repo2 has no diff: its newer full stands in for the diff objective
    expect(evaluation.findings[1]).toMatchObject({ backupType: 'diff', backupLabel: '20261124-052152F' });
    const later = evaluatePolicy(policy(), recorded, { now: hoursAfter(24 * 9) });
    expect(codes(later).filter((c) => c.includes('too-old'))).toHaveLength(4);
  });

  it('flags a missing scheduled type and an archive lag beyond the objective', () => {
    const evaluation = evaluatePolicy(
      policy((doc) => {
        doc.schedule.incr = { cron: '0 * * * *', timeZone: 'UTC' };
        doc.schedule.diff = undefined;
      }),
      recorded,
      { now: hoursAfter(1), lastArchivedAt: hoursAfter(0.5) },
    );
    expect(codes(evaluation)).toEqual(['critical:archive.lag']);
    const noFull = evaluatePolicy(
      policy(),
      recorded.map((s) => ({ ...s, backup: [] })),
      { now: hoursAfter(1) },
    );
    expect(codes(noFull)).toEqual(
      expect.arrayContaining([
        'critical:backup.missing-type@repo1',
        'warning:backup.missing-type@repo1',
        'critical:recovery-window.none',
      ]),
    );
  });

  it('judges the recovery window against the objective', () => {
    const evaluation = evaluatePolicy(
      policy((doc) => (doc.objectives!.minRecoveryWindow = '7d')),
      recorded,
      { now: hoursAfter(2) },
    );
    const finding = evaluation.findings.find((f) => f.code === 'recovery-window.too-short');
    expect(finding?.required).toBe(7 * 86_400);
    expect(finding?.observed).toBeCloseTo(2 * 3600 + (1795497721 - 1795497711), 0);
  });

  it('flags an unencrypted repository where encryption is required', () => {
    const evaluation = evaluatePolicy(
      policy((doc) => {
        doc.encryption.requiredFor = 'all';
        delete doc.repositories[1]!.encryption;
      }),
      recorded,
      { now: hoursAfter(1) },
    );
    expect(codes(evaluation)).toContain('critical:encryption.off@repo2');
    expect(evaluation.status).toBe('critical');
  });

  it('counts 3-2-1 copies only where valid backups are', () => {
    const onlyRepo2 = recorded.map((s) => ({ ...s, backup: s.backup.filter((b) => b.database['repo-key'] === 2) }));
    const evaluation = evaluatePolicy(policy(), onlyRepo2, { now: hoursAfter(1) });
    expect(evaluation.redundancy).toEqual({
      copies: 2,
      storageKinds: 1,
      offsiteCopies: 0,
      repositoriesWithValidBackups: ['local'],
    });
    expect(codes(evaluation)).toEqual(
      expect.arrayContaining([
        'critical:redundancy.copies',
        'critical:redundancy.storage-kinds',
        'critical:redundancy.offsite',
      ]),
    );
  });

  it('reports a stanza that is not in info', () => {
    const evaluation = evaluatePolicy(
      policy((doc) => (doc.stanza = 'main')),
      recorded,
      { now: hoursAfter(1) },
    );
    expect(codes(evaluation)).toEqual(['critical:stanza.missing']);
  });
});

describe('evaluatePolicy on status errors (derived from a recording)', () => {
  it('reports stanza and repository status and error-flagged backups', () => {
    const statusErrors = parseInfo(infoFixture('hand-2.45-status-errors.json'));
    const evaluation = evaluatePolicy(policy(), statusErrors, { now: hoursAfter(1) });
    expect(codes(evaluation)).toEqual(
      expect.arrayContaining([
        'critical:stanza.status',
        'critical:repo.status@repo1',
        'critical:backup.missing-type@repo1',
      ]),
    );
    expect(evaluation.findings.find((f) => f.code === 'repo.status')?.message).toContain('[CryptoError]');
    const flagged = parseInfo(infoFixture('hand-2.45-set-block-incr-error-annotation.json'));
    const withError = evaluatePolicy(policy(), flagged, { now: hoursAfter(1) });
    expect(withError.findings.find((f) => f.code === 'backup.error-flagged')).toMatchObject({
      severity: 'warning',
      repoKey: 1,
      backupLabel: '20261124-052144F_20261124-052158D',
    });
  });
});
