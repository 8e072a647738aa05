import { describe, expect, it } from 'vitest';
import { ArchiveScan } from '../../src/archive-scan.js';
import { infoKeys, infoValue, parseInfoFile } from '../../src/info-file.js';
import { segmentSizeFromObjectSizes, segmentSizeFromRollover } from '../../src/segment-size.js';
import type { ListedObject } from '../../src/storage.js';
import { parseTimelineHistory } from '../../src/timeline-history.js';
import { analyzeArchiveWal, type BackupWal } from '../../src/wal-analysis.js';
import { missingRanges, requiredRanges, SegmentRuns } from '../../src/wal-continuity.js';
import { parseLsn, parseWalFileName, segmentName } from '../../src/wal-name.js';
import { fixtureListing, fixtureText } from './fixtures.js';

const SIZE = 16 * 1024 * 1024;
const now = Date.parse('2030-01-01T00:00:00Z');
const old = now - 86_400_000;

/** Builds the scan of archive id 15-1 from the recorded listing, as the verifier does from S3. */
function scanFromListing(options: { drop?: (key: string) => boolean; modified?: (key: string) => number } = {}) {
  const root = 'archive/fx/15-1/';
  const scan = new ArchiveScan('15-1');
  const top: ListedObject[] = [];
  const page: ListedObject[] = [];
  for (const { key, size } of fixtureListing('plain')) {
    if (!key.startsWith(root) || options.drop?.(key)) continue;
    const modified = options.modified?.(key) ?? old;
    if (key.indexOf('/', root.length) < 0) top.push({ key, size, modified });
    else page.push({ key, size, modified });
  }
  scan.addTopLevel(top);
  scan.cursor(root).add(page);
  return scan;
}

const histories = new Map([[2, parseTimelineHistory(fixtureText('plain/00000002.history'))]]);
const backupInfo = parseInfoFile(fixtureText('plain/backup.info'));
const backups: BackupWal[] = infoKeys(backupInfo, 'backup:current').map((label) => {
  const v = infoValue(backupInfo, 'backup:current', label) as Record<string, string>;
  return {
    label,
    start: v['backup-archive-start']!,
    stop: v['backup-archive-stop']!,
    stopTime: Number(v['backup-timestamp-stop']) * 1000,
  };
});
const segmentKeys = fixtureListing('plain')
  .map((o) => o.key)
  .filter((k) => parseWalFileName(k.slice(k.lastIndexOf('/') + 1)).kind === 'segment');

const analyze = (scan: ArchiveScan, extra: Partial<Parameters<typeof analyzeArchiveWal>[0]> = {}) =>
  analyzeArchiveWal({
    stanza: 'fx',
    scan,
    segmentSize: SIZE,
    histories,
    backups,
    now,
    graceMs: 600_000,
    inFlightSegments: 8,
    ...extra,
  });

describe('WAL continuity on the recorded repository (timeline 1 → 2 after a promoting PITR restore)', () => {
  it('finds nothing wrong in the healthy archive and checks from the oldest backup across the switch', () => {
    const result = analyze(scanFromListing());
    expect(result.findings).toEqual([]);
    expect(result.complete).toBe(true);
    expect(result.checked[0]!.first).toBe(backups[0]!.start);
    expect(result.checked.map((r) => r.timeline)).toEqual([1, 2]);
    const switchSegment = Number(parseLsn(fixtureText('plain/00000002.history').split('\t')[1]!)! / BigInt(SIZE));
    expect(result.checked[1]!.first).toBe(segmentName(2, switchSegment, 256));
    expect(result.checked[0]!.last).toBe(segmentName(1, switchSegment - 1, 256));
    expect([...result.backupWalComplete.values()]).toEqual(backups.map(() => true));
  });

  it('lists a segment deleted from the middle as a missing range, and the backup that needs it', () => {
    const victim = segmentKeys.find((k) => k.includes(`/${backups[1]!.start}-`))!;
    const archivedAt = (key: string) => old + segmentKeys.indexOf(key) * 60_000;
    const result = analyze(scanFromListing({ drop: (k) => k === victim, modified: archivedAt }));
    const missing = result.findings.filter((f) => f.code === 'wal-missing');
    expect(missing).toHaveLength(1);
    expect(missing[0]!.where?.segments).toEqual({
      timeline: 1,
      first: backups[1]!.start,
      last: backups[1]!.start,
      count: 1,
    });
    expect(missing[0]!.severity).toBe('error');
    const incomplete = result.findings.filter((f) => f.code === 'wal-backup-incomplete');
    expect(incomplete.map((f) => f.where?.label)).toEqual([backups[1]!.label]);
    expect(result.backupWalComplete.get(backups[1]!.label)).toBe(false);
    expect(result.unrecoverable).toHaveLength(1);
    const [range] = result.unrecoverable;
    expect(range!.missing.first).toBe(backups[1]!.start);
    expect(range!.after).toBe(segmentName(1, Number.parseInt(backups[1]!.start!.slice(16), 16) - 1, 256));
    expect(range!.until).toBe(backups.find((b) => b.start! > backups[1]!.start!)?.label ?? null);
    const before = segmentKeys[segmentKeys.indexOf(victim) - 1]!;
    expect(before).toContain(`/${range!.after}-`);
    expect(range!.from).toBe(new Date(archivedAt(before)).toISOString());
    const next = backups.find((b) => b.label === range!.until);
    expect(range!.to).toBe(next === undefined ? null : new Date(next.stopTime!).toISOString());
    expect(range!.message).toContain(
      next === undefined
        ? `restores to times after ${range!.from} cannot complete`
        : `restores to times between ${range!.from} and ${range!.to} cannot complete`,
    );
  });

  it('has no unrecoverable range in a healthy archive', () => {
    expect(analyze(scanFromListing()).unrecoverable).toEqual([]);
  });

  it('treats a gap before freshly uploaded segments as in flight during the grace period', () => {
    const newest = segmentKeys.filter((k) => k.includes('/0000000200000000/')).at(-1)!;
    const previous = segmentKeys.filter((k) => k.includes('/0000000200000000/')).at(-2)!;
    const scan = scanFromListing({ drop: (k) => k === previous, modified: (k) => (k === newest ? now - 5_000 : old) });
    const result = analyze(scan);
    expect(result.findings.map((f) => [f.code, f.severity])).toEqual([['wal-in-flight', 'info']]);
    expect(result.unrecoverable).toEqual([]);
    const late = analyze(scan, { now: now + 3_600_000 });
    expect(late.findings.map((f) => f.code)).toEqual(['wal-missing']);
    expect(late.unrecoverable.map((r) => r.until)).toEqual([null]);
  });

  it('judges gaps by position: a gap far behind the newest segment is missing even when every object is recent', () => {
    const timeline2 = segmentKeys.filter((k) => k.includes('/0000000200000000/'));
    const victim = timeline2[0]!;
    const allRecent = scanFromListing({ drop: (k) => k === victim, modified: () => now - 5_000 });
    const behind = timeline2.length - 1;
    const far = analyze(allRecent, { inFlightSegments: behind - 1 });
    expect(far.findings.map((f) => [f.code, f.severity])).toEqual([['wal-missing', 'error']]);
    const near = analyze(allRecent, { inFlightSegments: behind });
    expect(near.findings.map((f) => f.code)).toEqual(['wal-in-flight']);
  });

  it('never counts a gap a later timeline closed as in flight, however recent', () => {
    const switchSegment = Number(parseLsn(fixtureText('plain/00000002.history').split('\t')[1]!)! / BigInt(SIZE));
    const victim = segmentKeys.find((k) => k.includes(`/${segmentName(1, switchSegment - 1, 256)}-`))!;
    const scan = scanFromListing({ drop: (k) => k === victim, modified: () => now - 5_000 });
    const result = analyze(scan, { inFlightSegments: 10_000 });
    const gaps = result.findings.filter((f) => f.code === 'wal-missing' || f.code === 'wal-in-flight');
    expect(gaps.map((f) => [f.code, f.where?.segments?.timeline])).toEqual([['wal-missing', 1]]);
  });

  it('requires the history file of a newer timeline and names the object it expects', () => {
    const result = analyze(scanFromListing(), { histories: new Map() });
    expect(result.findings.filter((f) => f.code === 'wal-history-missing').map((f) => f.where)).toEqual([
      { archiveId: '15-1', key: 'archive/fx/15-1/00000002.history' },
    ]);
  });

  it('does not ask for the history of the oldest timeline in the archive (stanza created after a promotion)', () => {
    const scan = scanFromListing({ drop: (k) => k.includes('/0000000100000000/') || k.endsWith('.history') });
    const result = analyze(scan, { histories: new Map(), backups: [] });
    expect(result.findings).toEqual([]);
    expect(result.checked.map((r) => r.timeline)).toEqual([2]);
  });

  it('with an unknown segment size, still finds gaps inside a log folder and says what it could not check', () => {
    const victim = segmentKeys[3]!;
    const result = analyze(scanFromListing({ drop: (k) => k === victim }), { segmentSize: undefined });
    expect(result.complete).toBe(false);
    expect(result.findings.map((f) => f.code).sort()).toEqual(['wal-missing', 'wal-segment-size-unknown']);
    const name = victim.slice(victim.lastIndexOf('/') + 1, victim.lastIndexOf('/') + 25);
    expect(result.findings.find((f) => f.code === 'wal-missing')!.where?.segments?.first).toBe(name);
  });
});

describe('segment runs and ranges', () => {
  it('keeps runs instead of names, in any arrival order, and notices duplicates', () => {
    const runs = new SegmentRuns();
    for (const s of [5, 1, 2, 9, 3, 4, 7, 3]) runs.add(s, s);
    expect(runs.runs.map((r) => [r.first, r.last])).toEqual([
      [1, 5],
      [7, 7],
      [9, 9],
    ]);
    expect(runs.duplicates).toEqual([3]);
    expect(missingRanges(runs.runs, 0, 10).map((g) => [g.first, g.last])).toEqual([
      [0, 0],
      [6, 6],
      [8, 8],
      [10, 10],
    ]);
  });

  it('stays small for a long unbroken archive', () => {
    const runs = new SegmentRuns();
    for (let s = 0; s < 1_000_000; s++) runs.add(s, 0);
    expect(runs.runs).toHaveLength(1);
  });

  it('follows a timeline history switching at a segment boundary', () => {
    const history = [{ parent: 1, switchLsn: 0x9000000n, reason: '' }];
    expect(requiredRanges({ timeline: 1, segment: 2 }, 2, history, 12, SIZE)).toEqual([
      { timeline: 1, first: 2, last: 8 },
      { timeline: 2, first: 9, last: 12 },
    ]);
    expect(requiredRanges({ timeline: 3, segment: 2 }, 2, history, 12, SIZE)).toBeUndefined();
  });

  it('infers the segment size from uncompressed object sizes or from a log rollover', () => {
    expect(segmentSizeFromObjectSizes(new Map([[SIZE, 3]]))).toBe(SIZE);
    expect(
      segmentSizeFromObjectSizes(
        new Map([
          [SIZE, 3],
          [1000, 1],
        ]),
      ),
    ).toBeUndefined();
    const scan = new ArchiveScan('15-1');
    const log0 = scan.folder(1, 0);
    for (let s = 0xfe; s <= 0xff; s++) log0.add(s, 0);
    scan.folder(1, 1).add(0, 0);
    expect(segmentSizeFromRollover(scan)).toBe(SIZE);
    expect(segmentSizeFromRollover(scanFromListing())).toBeUndefined();
  });
});
