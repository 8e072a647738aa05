import { describe, expect, it } from 'vitest';
import {
  analyzeInfo,
  type RestorableInstant,
  restorableInstantsFromVerifyReport,
  VerifyReportFormatError,
} from '../../../src/analysis/index.js';
import { evaluatePolicy, validatePolicy } from '../../../src/policy/index.js';
import { recordedLastStop, recordedTwoRepos, twoRepoPolicyInput } from '../support/recorded-two-repos.js';

const stanza = recordedTwoRepos[0]!.name;
const minutesAfter = (minutes: number) => new Date(recordedLastStop.getTime() + minutes * 60_000);
const policy = validatePolicy(twoRepoPolicyInput({ minRecoveryWindow: '30m', maxArchiveLag: '15m' }));
const codes = (evaluation: ReturnType<typeof evaluatePolicy>) =>
  evaluation.findings.map((f) => `${f.severity}:${f.code}`).filter((c) => !c.includes('backup.'));

function verifyReport(lastCommit: string | null, lastCheckpoint: string | null) {
  return {
    schemaVersion: 1,
    outcome: 'ok',
    stanzas: [
      {
        name: stanza,
        newestRestorableInstant: {
          archiveId: '15-1',
          timeline: 1,
          newestSegment: '000000010000000000000007',
          segmentsRead: ['000000010000000000000007'],
          lastCommit: lastCommit === null ? null : { at: lastCommit, xid: 750, lsn: '0/7000100', segment: 'x' },
          lastCheckpoint:
            lastCheckpoint === null
              ? null
              : { at: lastCheckpoint, kind: 'online', lsn: '0/7000028', redo: '0/7000028', segment: 'x' },
          damagedRecords: 0,
        },
      },
      { name: 'shallow', newestRestorableInstant: null },
    ],
  };
}

describe('restorableInstantsFromVerifyReport', () => {
  it('takes the last commit and checkpoint of each stanza that has them', () => {
    const instants = restorableInstantsFromVerifyReport(
      verifyReport('2026-12-02T05:01:02.345Z', '2026-12-02T05:00:00.000Z'),
    );
    expect(instants).toEqual([
      {
        stanza,
        lastCommitAt: new Date('2026-12-02T05:01:02.345Z'),
        lastCheckpointAt: new Date('2026-12-02T05:00:00.000Z'),
        archiveId: '15-1',
        timeline: 1,
        segment: '000000010000000000000007',
      },
    ]);
  });

  it("reads the report inside the CLI's --json document too", () => {
    const report = verifyReport('2026-12-02T05:01:02.345Z', null);
    const document = { schemaVersion: 1, command: 'verify-repo', exitCode: 0, result: report };
    expect(restorableInstantsFromVerifyReport(document)).toEqual(restorableInstantsFromVerifyReport(report));
  });

  it('refuses what is not a verify report, saying which file to pass', () => {
    expect(() => restorableInstantsFromVerifyReport({ stanzas: [] })).toThrow(VerifyReportFormatError);
    expect(() => restorableInstantsFromVerifyReport(recordedTwoRepos)).toThrow(/verify-repo --deep --json/);
    expect(() => restorableInstantsFromVerifyReport(verifyReport('yesterday', null))).toThrow(
      /lastCommit\.at: an ISO 8601 time/,
    );
  });
});

describe('the newest restorable instant in the analysis and the policy', () => {
  const instant = (commit: Date | undefined, checkpoint: Date | undefined): RestorableInstant[] => [
    { stanza, lastCommitAt: commit, lastCheckpointAt: checkpoint },
  ];

  it('ends the recovery window at the last archived commit', () => {
    const now = minutesAfter(120);
    const analysis = analyzeInfo(recordedTwoRepos, { now, restorableInstants: instant(minutesAfter(5), undefined) });
    expect(analysis.stanzas[0]!.recoveryWindow.latestRestorable).toEqual(minutesAfter(5));
    expect(analyzeInfo(recordedTwoRepos, { now }).stanzas[0]!.recoveryWindow.latestRestorable).toBeUndefined();

    const earliest = analysis.stanzas[0]!.recoveryWindow.earliest!;
    const without = evaluatePolicy(policy, recordedTwoRepos, { now, lastArchivedAt: now });
    expect(codes(without)).toEqual([]);
    // Two hours after the backups, but WAL stopped 5 minutes after the last one: the window is short.
    const commit = new Date(earliest.getTime() + 20 * 60_000);
    const withInstant = evaluatePolicy(policy, recordedTwoRepos, {
      now,
      lastArchivedAt: now,
      restorableInstants: instant(commit, undefined),
    });
    expect(codes(withInstant)).toEqual(['critical:recovery-window.too-short']);
    expect(withInstant.findings.at(-1)).toMatchObject({ observed: 20 * 60, required: 30 * 60 });
    expect(withInstant.findings.at(-1)?.message).toContain(`last archived commit at ${commit.toISOString()}`);
    // The same through an analysis that carries it.
    const fromAnalysis = evaluatePolicy(
      policy,
      analyzeInfo(recordedTwoRepos, { now, restorableInstants: instant(commit, undefined) }),
      { now, lastArchivedAt: now },
    );
    expect(codes(fromAnalysis)).toEqual(['critical:recovery-window.too-short']);
  });

  it('judges the archive lag from the newest archived commit or checkpoint when pg_stat_archiver is not given', () => {
    const now = minutesAfter(60);
    const recent = evaluatePolicy(policy, recordedTwoRepos, {
      now,
      restorableInstants: instant(minutesAfter(30), minutesAfter(50)),
    });
    expect(codes(recent)).toEqual([]);
    const stale = evaluatePolicy(policy, recordedTwoRepos, {
      now,
      restorableInstants: instant(minutesAfter(40), minutesAfter(30)),
    });
    expect(codes(stale)).toEqual(['critical:archive.lag']);
    expect(stale.findings.at(-1)).toMatchObject({ observed: 20 * 60, required: 15 * 60 });
    // pg_stat_archiver, when given, is the direct measure and wins.
    expect(
      codes(
        evaluatePolicy(policy, recordedTwoRepos, {
          now,
          lastArchivedAt: now,
          restorableInstants: instant(minutesAfter(40), undefined),
        }),
      ),
    ).toEqual([]);
    // Another stanza's instant says nothing about this one.
    const other = evaluatePolicy(policy, recordedTwoRepos, {
      now,
      restorableInstants: [{ stanza: 'other', lastCommitAt: minutesAfter(1), lastCheckpointAt: undefined }],
    });
    expect(codes(other)).toEqual(['info:archive.lag-unknown']);
  });
});
