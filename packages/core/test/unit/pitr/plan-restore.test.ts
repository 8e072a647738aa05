import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyzeInfo } from '../../../src/analysis/index.js';
import { parseInfo } from '../../../src/info/index.js';
import {
  formatTargetTime,
  NoBackupForTargetError,
  parseTargetTime,
  planRestore,
  RecoveryWindowError,
  type RestoreTarget,
  RestoreTargetError,
} from '../../../src/pitr/index.js';

const text = readFileSync(
  new URL('../../fixtures/info/pgbackrest-2.45-s3-encrypted-plus-posix.json', import.meta.url),
  'utf8',
);
// repo1: 20261124-052144F stops 05:21:51Z, its diff stops 05:22:01Z; repo2: 20261124-052152F stops 05:21:55Z.
const stanza = analyzeInfo(parseInfo(text), { now: new Date('2026-11-24T06:00:00Z') }).stanzas[0]!;

describe('planRestore with time targets', () => {
  it('picks the newest backup that stops before the target, in the first repository that has one', () => {
    const plan = planRestore({ type: 'time', time: '2026-11-24T05:21:56Z', targetAction: 'promote' }, stanza);
    expect(plan.repoKey).toBe(1);
    expect(plan.backup.label).toBe('20261124-052144F');
    expect(plan.options).toEqual({
      type: 'time',
      target: '2026-11-24 05:21:56+00',
      'target-action': 'promote',
      set: '20261124-052144F',
      repo: 1,
    });
  });

  it('converts an offset to UTC and picks the later diff once the target passes its stop time', () => {
    const plan = planRestore({ type: 'time', time: '2026-11-24T06:22:02+01:00', exclusive: true }, stanza);
    expect(plan.backup.label).toBe('20261124-052144F_20261124-052158D');
    expect(plan.options.target).toBe('2026-11-24 05:22:02+00');
    expect(plan.options['target-exclusive']).toBe(true);
    expect(plan.notes.join('\n')).toMatch(/00000001000000000000000B/);
  });

  it('compares whole seconds strictly, as pgBackRest does', () => {
    const atStop = () => planRestore({ type: 'time', time: new Date('2026-11-24T05:22:01.900Z') }, stanza);
    expect(atStop().backup.label).toBe('20261124-052144F');
  });

  it('uses only the requested repository', () => {
    const plan = planRestore({ type: 'time', time: '2026-11-24 05:21:56+00', repo: 2 }, stanza);
    expect([plan.repoKey, plan.backup.label]).toEqual([2, '20261124-052152F']);
  });

  it('refuses a time before the earliest restorable point and names the window', () => {
    const attempt = () => planRestore({ type: 'time', time: '2026-11-24T05:21:51Z' }, stanza);
    expect(attempt).toThrow(RecoveryWindowError);
    expect(attempt).toThrow(/earliest restorable point 2026-11-24 05:21:51\+00/);
    try {
      attempt();
    } catch (error) {
      expect((error as RecoveryWindowError).earliest).toEqual(new Date('2026-11-24T05:21:51Z'));
      expect((error as RecoveryWindowError).latestBackupStop).toEqual(new Date('2026-11-24T05:22:01Z'));
    }
  });

  it('refuses a set that ends after the target', () => {
    const target: RestoreTarget = {
      type: 'time',
      time: '2026-11-24T05:21:58Z',
      set: '20261124-052144F_20261124-052158D',
    };
    expect(() => planRestore(target, stanza)).toThrow(/ends at 2026-11-24 05:22:01\+00/);
  });

  it('refuses offset-less and malformed times', () => {
    expect(() => planRestore({ type: 'time', time: '2026-11-24 05:30:00' }, stanza)).toThrow(RestoreTargetError);
    expect(() => planRestore({ type: 'time', time: '2026-11-24T05:30' }, stanza)).toThrow(/explicit UTC offset/);
    expect(() => planRestore({ type: 'time', time: '2026-13-24T05:30:00Z' }, stanza)).toThrow(/not a valid/);
  });
});

describe('planRestore with other targets', () => {
  it('picks the newest backup whose stop LSN is at or before an LSN target', () => {
    expect(planRestore({ type: 'lsn', lsn: '0/B000100' }, stanza).backup.label).toBe(
      '20261124-052144F_20261124-052158D',
    );
    expect(planRestore({ type: 'lsn', lsn: '0/7ffffff' }, stanza).options).toEqual({
      type: 'lsn',
      target: '0/7FFFFFF',
      set: '20261124-052144F',
      repo: 1,
    });
    expect(() => planRestore({ type: 'lsn', lsn: '0/5000000' }, stanza)).toThrow(NoBackupForTargetError);
    expect(() => planRestore({ type: 'lsn', lsn: '5000000' }, stanza)).toThrow(/two hex numbers/);
  });

  it('uses the latest backup of the first repository for immediate, default, standby, xid and name', () => {
    const immediate = planRestore({ type: 'immediate', targetAction: 'shutdown' }, stanza);
    expect(immediate.options).toEqual({
      type: 'immediate',
      'target-action': 'shutdown',
      set: '20261124-052144F_20261124-052158D',
      repo: 1,
    });
    expect(planRestore({ type: 'standby', timeline: 'latest' }, stanza).options['target-timeline']).toBe('latest');
    const xid = planRestore({ type: 'xid', xid: 1234n, timeline: 2 }, stanza);
    expect(xid.options).toMatchObject({ type: 'xid', target: '1234', 'target-timeline': '2' });
    expect(xid.notes.join()).toMatch(/pass 'set'/);
    expect(planRestore({ type: 'name', name: 'before-migration' }, stanza).options.target).toBe('before-migration');
  });

  it('refuses options that do not go with the target type, unknown sets and repositories', () => {
    const bad = { type: 'name', name: 'x', exclusive: true } as unknown as RestoreTarget;
    expect(() => planRestore(bad, stanza)).toThrow(/'exclusive' does not apply to a 'name' target/);
    expect(() => planRestore({ type: 'default', set: '20200101-000000F' }, stanza)).toThrow(NoBackupForTargetError);
    expect(() => planRestore({ type: 'default', repo: 3 }, stanza)).toThrow(/no repo3/);
    expect(() => planRestore({ type: 'xid', xid: 'abc' }, stanza)).toThrow(/positive transaction id/);
  });

  it('refuses a repository that holds no backup with a typed error', () => {
    const empty = { ...stanza, repositories: stanza.repositories.map((r) => ({ ...r, backups: [] })) };
    for (const type of ['default', 'immediate'] as const) {
      expect(() => planRestore({ type, repo: 1 }, empty)).toThrow(NoBackupForTargetError);
      expect(() => planRestore({ type, repo: 1 }, empty)).toThrow(/repo1 of stanza .* holds no backup/);
    }
  });
});

describe('target time text', () => {
  it('renders UTC with an explicit offset and keeps milliseconds', () => {
    expect(formatTargetTime(new Date('2026-11-24T02:00:00Z'))).toBe('2026-11-24 02:00:00+00');
    expect(formatTargetTime(new Date('2026-11-24T02:00:00.250Z'))).toBe('2026-11-24 02:00:00.250+00');
  });

  it('reads offsets in every ISO spelling', () => {
    for (const [input, iso] of [
      ['2026-11-24T03:00:00+01:00', '2026-11-24T02:00:00.000Z'],
      ['2026-11-24 03:00:00+01', '2026-11-24T02:00:00.000Z'],
      ['2026-11-23T22:30:00-0330', '2026-11-24T02:00:00.000Z'],
      ['2026-11-24T02:00Z', '2026-11-24T02:00:00.000Z'],
      ['2026-11-24T02:00:00.123456Z', '2026-11-24T02:00:00.123Z'],
    ] as const) {
      expect(parseTargetTime(input).toISOString()).toBe(iso);
    }
  });
});
