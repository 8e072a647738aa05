import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyzeInfo, type RepositoryAnalysis } from '../../../src/analysis/index.js';
import { parseInfo } from '../../../src/info/index.js';
import {
  nextWalSegment,
  parseExpireLog,
  previousWalSegment,
  RetentionPolicyError,
  retentionFromOptions,
  retentionToOptions,
  simulateExpire,
} from '../../../src/retention/index.js';

const MiB16 = 16 * 1024 * 1024;
const recordedRoot = new URL('../../fixtures/recorded/', import.meta.url);
const recordedVersions = existsSync(recordedRoot)
  ? readdirSync(recordedRoot).filter((v) =>
      ['info.json', 'expire-dry-run.txt', 'expire-dry-run.json'].every((f) =>
        existsSync(new URL(`${v}/${f}`, recordedRoot)),
      ),
    )
  : [];

describe.each(recordedVersions)('simulateExpire equals the recorded pgBackRest %s expire --dry-run', (version) => {
  const read = (f: string) => readFileSync(new URL(`${version}/${f}`, recordedRoot), 'utf8');
  const { repo, options } = JSON.parse(read('expire-dry-run.json')) as {
    repo: number;
    options: Record<string, string>;
  };
  const log = parseExpireLog(read('expire-dry-run.txt'));
  const info = parseInfo(read('info.json'));
  const now = new Date(Math.max(...info[0]!.backup.map((b) => b.timestamp.stop)) * 1000 + 60_000);
  const repository = analyzeInfo(info, { now }).stanzas[0]!.repositories.find((r) => r.key === repo)!;
  const simulation = simulateExpire(repository, retentionFromOptions(options, repo), { now, walSegmentSize: MiB16 });

  it('expires the same backup sets for the same reasons', () => {
    const sets = log.flatMap((e) => (e.kind === 'expire-set' ? [{ reason: e.reason, labels: e.labels }] : []));
    expect(sets.length).toBeGreaterThan(0);
    expect(simulation.expired.map((e) => ({ reason: e.reason, labels: e.labels }))).toEqual(sets);
    const removed = log.flatMap((e) => (e.kind === 'remove-backup' ? [e.label] : [])).sort();
    expect(simulation.expiredLabels).toEqual(removed);
  });

  it('removes the same WAL ranges', () => {
    const ranges = log.flatMap((e) =>
      e.kind === 'remove-archive' ? [{ archiveId: e.archiveId, start: e.start, stop: e.stop }] : [],
    );
    expect(simulation.expiredWal.map(({ archiveId, start, stop }) => ({ archiveId, start, stop }))).toEqual(ranges);
  });
});

// Builds a real-shaped info document: each entry is [label, stop time (s), WAL start, WAL stop].
function repository(backups: [string, number, number, number][], walMax = 0x40): RepositoryAnalysis {
  const wal = (n: number) => `00000001000000000000${n.toString(16).toUpperCase().padStart(4, '0')}`;
  const labels = backups.map(([l]) => l);
  const doc = [
    {
      archive: [{ database: { id: 1, 'repo-key': 1 }, id: '15-1', max: wal(walMax), min: wal(1) }],
      backup: backups.map(([label, stop, ws, we], i) => {
        const full = label.slice(0, 16);
        const type = label.endsWith('F') ? 'full' : label.endsWith('D') ? 'diff' : 'incr';
        const prior = type === 'full' ? null : type === 'diff' ? full : labels[i - 1]!;
        return {
          archive: { start: wal(ws), stop: wal(we) },
          backrest: { format: 5, version: '2.45' },
          database: { id: 1, 'repo-key': 1 },
          error: false,
          info: { delta: 1, repository: { delta: 1, size: 1 }, size: 1 },
          label,
          prior,
          reference: type === 'full' ? null : [full],
          timestamp: { start: stop - 5, stop },
          type,
        };
      }),
      cipher: 'none',
      db: [{ id: 1, 'repo-key': 1, 'system-id': 7711603885232359767n.toString(), version: '15' }],
      name: 'demo',
      repo: [{ cipher: 'none', key: 1, status: { code: 0, message: 'ok' } }],
      status: { code: 0, lock: { backup: { held: false } }, message: 'ok' },
    },
  ];
  return analyzeInfo(parseInfo(JSON.stringify(doc)), { now: new Date(0) }).stanzas[0]!.repositories[0]!;
}

const DAY = 86_400;
const t0 = 1_795_000_000;

describe('simulateExpire rules', () => {
  const mixed = repository([
    ['20261101-010000F', t0, 2, 3],
    ['20261101-010000F_20261102-010000D', t0 + DAY, 5, 5],
    ['20261101-010000F_20261102-020000I', t0 + DAY + 3600, 6, 6],
    ['20261101-010000F_20261103-010000D', t0 + 2 * DAY, 8, 8],
    ['20261104-010000F', t0 + 3 * DAY, 10, 11],
    ['20261104-010000F_20261105-010000I', t0 + 4 * DAY, 13, 13],
    ['20261106-010000F', t0 + 5 * DAY, 15, 15],
  ]);
  const now = new Date((t0 + 6 * DAY) * 1000);

  it('count retention expires the oldest fulls with their dependents and the WAL before the oldest kept full', () => {
    const s = simulateExpire(mixed, { full: 2 }, { now, walSegmentSize: MiB16 });
    expect(s.expired).toHaveLength(1);
    expect(s.expired[0]).toMatchObject({ reason: 'full', label: '20261101-010000F' });
    expect(s.expired[0]!.labels).toHaveLength(4);
    expect(s.retainedLabels).toEqual(['20261104-010000F', '20261104-010000F_20261105-010000I', '20261106-010000F']);
    expect(s.archiveRetention).toEqual({ count: 2, type: 'full' });
    expect(s.expiredWal.map((w) => [w.start, w.stop])).toEqual([
      ['000000010000000000000001', '000000010000000000000009'],
    ]);
  });

  it('diff retention counts fulls as diffs (F1 D1 D2 F2 with diff=2 keeps F1, D2, F2)', () => {
    const s = simulateExpire(mixed, { diff: 3 }, { now, walSegmentSize: MiB16 });
    expect(s.expired.map((e) => [e.reason, e.labels])).toEqual([
      ['diff', ['20261101-010000F_20261102-010000D', '20261101-010000F_20261102-020000I']],
    ]);
    expect(s.archiveRetention).toBeUndefined();
  });

  it('keeps the WAL older retained backups need when archive retention is shorter than full retention', () => {
    const s = simulateExpire(mixed, { full: 3, archive: 1 }, { now, walSegmentSize: MiB16 });
    expect(s.expiredLabels).toEqual([]);
    // Kept: 02..03 (F1), 05 (D1), 06 (I), 08 (D2), 0A..0B (F2), 0D (I), 0F.. (F3, the archive-retention anchor).
    expect(s.expiredWal.map((w) => [w.after, w.before, w.start, w.stop])).toEqual([
      [null, '000000010000000000000002', '000000010000000000000001', '000000010000000000000001'],
      ['000000010000000000000003', '000000010000000000000005', '000000010000000000000004', '000000010000000000000004'],
      ['000000010000000000000006', '000000010000000000000008', '000000010000000000000007', '000000010000000000000007'],
      ['000000010000000000000008', '00000001000000000000000A', '000000010000000000000009', '000000010000000000000009'],
      ['00000001000000000000000B', '00000001000000000000000D', '00000001000000000000000C', '00000001000000000000000C'],
      ['00000001000000000000000D', '00000001000000000000000F', '00000001000000000000000E', '00000001000000000000000E'],
    ]);
    const withoutSize = simulateExpire(mixed, { full: 3, archive: 1 }, { now });
    expect(withoutSize.expiredWal[0]).toMatchObject({ start: '000000010000000000000001', stop: undefined });
    expect(withoutSize.expiredWal[1]).toMatchObject({ start: undefined, stop: undefined });
  });

  it('time retention keeps the newest full older than N days and explains why a full lingers', () => {
    const week = simulateExpire(mixed, { full: 2, fullType: 'time' }, { now, walSegmentSize: MiB16 });
    // cutoff = t0 + 4 days: the newest full stopped before it is 20261104-010000F; everything older expires.
    expect(week.expired.map((e) => [e.reason, e.label])).toEqual([['time-based', '20261101-010000F']]);
    expect(week.archiveRetention).toEqual({ count: 2, type: 'full' });
    expect(week.notes.join('\n')).toMatch(/a full expires only once a newer full is itself at least 2 day/);

    const longer = simulateExpire(mixed, { full: 5, fullType: 'time' }, { now, walSegmentSize: MiB16 });
    expect(longer.expiredLabels).toEqual([]);
    expect(longer.archiveRetention).toBeUndefined();
    expect(longer.notes.join('\n')).toMatch(/20261101-010000F expires once full 20261104-010000F is 5 day/);
  });

  it('does not expire WAL without archive retention and says so', () => {
    const s = simulateExpire(mixed, { diff: 1, archiveType: 'incr' }, { now });
    expect(s.expiredWal).toEqual([]);
    expect(s.notes.join()).toMatch(/WAL is not expired/);
  });

  it('refuses values pgBackRest refuses', () => {
    expect(() => simulateExpire(mixed, { full: 0 }, { now })).toThrow(RetentionPolicyError);
    expect(() => retentionFromOptions({ 'repo2-retention-diff': 'two' }, 2)).toThrow(
      /repo2-retention-diff must be an integer/,
    );
  });
});

describe('retention options', () => {
  it('round-trips through repoN options, reading deprecated names for repo1', () => {
    const policy = { full: 7, fullType: 'time', diff: 3, archive: 2, archiveType: 'diff', history: 30 } as const;
    expect(retentionFromOptions(retentionToOptions(policy, 3), 3)).toEqual(policy);
    expect(retentionFromOptions({ 'retention-full': '4' }, 1)).toEqual({ full: 4 });
  });
});

describe('WAL segment neighbours', () => {
  it('wrap at the end of a log file for the given segment size', () => {
    expect(nextWalSegment('0000000100000000000000FF', MiB16)).toBe('000000010000000100000000');
    expect(previousWalSegment('000000010000000100000000', MiB16)).toBe('0000000100000000000000FF');
    expect(nextWalSegment('00000001000000000000003F', 64 * 1024 * 1024)).toBe('000000010000000100000000');
  });
});
