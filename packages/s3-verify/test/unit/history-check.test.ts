import { describe, expect, it } from 'vitest';
import { checkTimelineHistories, type HistoryCheckInput } from '../../src/history-check.js';
import { parseTimelineHistory } from '../../src/timeline-history.js';
import { parseWalFileName } from '../../src/wal-name.js';
import { fixtureListing, fixtureText } from './fixtures.js';

const SIZE = 16 * 1024 * 1024;
const recorded = parseTimelineHistory(fixtureText('plain/00000002.history'));
const key = (timeline: number) => `archive/fx/15-1/${timeline.toString(16).padStart(8, '0')}.history`;

/** The first archived segment of each timeline in the recorded repository (timeline 1 → 2 after a PITR restore). */
function recordedFirstSegments(): Map<number, number> {
  const first = new Map<number, number>();
  for (const { key: k } of fixtureListing('plain')) {
    const name = parseWalFileName(k.slice(k.lastIndexOf('/') + 1));
    if (name.kind !== 'segment') continue;
    const absolute = name.log * 256 + name.segment;
    if (absolute < (first.get(name.timeline) ?? Number.POSITIVE_INFINITY)) first.set(name.timeline, absolute);
  }
  return first;
}

const check = (extra: Partial<HistoryCheckInput>) =>
  checkTimelineHistories({
    stanza: 'fx',
    archiveId: '15-1',
    histories: new Map([[2, recorded]]),
    historyKeys: new Map([[2, key(2)]]),
    firstSegments: recordedFirstSegments(),
    segmentSize: SIZE,
    knownArchiveIds: new Set(['15-1']),
    ...extra,
  });

describe('timeline history files against each other, the WAL and archive.info', () => {
  it('finds the recorded history in agreement with the WAL of both timelines', () => {
    expect(recordedFirstSegments().get(2)).toBeDefined();
    expect(check({})).toEqual([]);
  });

  it('accepts a third timeline whose history extends the second, and names one that rewrites it', () => {
    const histories = (third: string) =>
      new Map([
        [2, recorded],
        [3, parseTimelineHistory(third)],
      ]);
    const historyKeys = new Map([
      [2, key(2)],
      [3, key(3)],
    ]);
    expect(check({ histories: histories('1\t0/8000050\tx\n2\t0/A000000\ty\n'), historyKeys })).toEqual([]);
    const found = check({ histories: histories('1\t0/7000000\tx\n2\t0/A000000\ty\n'), historyKeys });
    expect(found.map((f) => [f.code, f.where?.key, f.expected, f.found])).toEqual([
      ['wal-history-mismatch', key(3), '1@0/8000050', '1@0/7000000'],
    ]);
    expect(found[0]!.severity).toBe('error');
  });

  it('names a history whose ancestors are not older timelines in order', () => {
    for (const text of ['2\t0/8000050\tself\n', '1\t0/9000000\ta\n1\t0/A000000\tb\n']) {
      const found = check({ histories: new Map([[2, parseTimelineHistory(text)]]) });
      expect(found.map((f) => [f.code, f.where?.key])).toEqual([['wal-history-mismatch', key(2)]]);
    }
    expect(check({ histories: new Map([[2, []]]) }).map((f) => f.code)).toEqual(['wal-history-mismatch']);
  });

  it('names a timeline with WAL from before its switch point', () => {
    const firstSegments = new Map([...recordedFirstSegments(), [2, 5]]);
    const found = check({ firstSegments });
    expect(found.map((f) => [f.code, f.found])).toEqual([['wal-history-mismatch', 'segment 5']]);
    expect(found[0]!.expected).toBe('first segment of timeline 2 at or after segment 8');
    expect(check({ firstSegments, segmentSize: undefined })).toEqual([]);
  });

  it('names a history file in an archive id archive.info does not list', () => {
    const found = check({ knownArchiveIds: new Set(['17-2']) });
    expect(found.map((f) => [f.code, f.expected, f.found])).toEqual([['wal-history-mismatch', '17-2', '15-1']]);
    expect(check({ knownArchiveIds: undefined })).toEqual([]);
  });
});
