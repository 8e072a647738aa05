import type { Finding } from './report.js';
import type { TimelineSwitch } from './timeline-history.js';
import { segmentOfLsn } from './wal-continuity.js';

/** Inputs of {@link checkTimelineHistories}. */
export interface HistoryCheckInput {
  readonly stanza: string;
  readonly archiveId: string;
  /** Parsed `.history` files by timeline, and their object keys. */
  readonly histories: ReadonlyMap<number, readonly TimelineSwitch[]>;
  readonly historyKeys: ReadonlyMap<number, string>;
  /** The first segment (absolute number) archived on each timeline that has WAL. */
  readonly firstSegments: ReadonlyMap<number, number>;
  /** Bytes per segment; `undefined` when unknown (then the switch points are not compared with the WAL). */
  readonly segmentSize: number | undefined;
  /** Archive ids archive.info lists (`<pg version>-<db id>`); `undefined` when archive.info could not be read. */
  readonly knownArchiveIds: ReadonlySet<string> | undefined;
}

const hex8 = (timeline: number) => timeline.toString(16).toUpperCase().padStart(8, '0');
const lsnText = (lsn: bigint) =>
  `${(lsn >> 32n).toString(16).toUpperCase()}/${(lsn & 0xffffffffn).toString(16).toUpperCase()}`;
const describe = (history: readonly TimelineSwitch[]) =>
  history.map((h) => `${h.parent}@${lsnText(h.switchLsn)}`).join(', ') || 'no ancestors';

/**
 * Checks that the timeline history files of an archive id agree with each other, with the WAL
 * present and with archive.info: each names only older timelines, in order, at increasing switch
 * points; each extends its parent's history; no timeline has WAL from before it branched; the
 * archive id is one archive.info lists. Pure.
 *
 * @example
 * const findings = checkTimelineHistories({ stanza, archiveId: '15-1', histories, historyKeys, firstSegments, segmentSize, knownArchiveIds });
 */
export function checkTimelineHistories(input: HistoryCheckInput): Finding[] {
  const { stanza, archiveId, histories, historyKeys } = input;
  const findings: Finding[] = [];
  const report = (timeline: number, message: string, expected?: string, found?: string) =>
    findings.push({
      code: 'wal-history-mismatch',
      severity: 'error',
      message: `${historyKeys.get(timeline) ?? `${hex8(timeline)}.history`}: ${message}`,
      stanza,
      where: { archiveId, ...(historyKeys.has(timeline) ? { key: historyKeys.get(timeline)! } : {}) },
      ...(expected === undefined ? {} : { expected }),
      ...(found === undefined ? {} : { found }),
    });

  if (input.knownArchiveIds !== undefined && histories.size > 0 && !input.knownArchiveIds.has(archiveId)) {
    for (const timeline of [...histories.keys()].sort((a, b) => a - b)) {
      report(
        timeline,
        `archive id ${archiveId} is not in archive.info's history: recovery through this repository will not look here`,
        [...input.knownArchiveIds].sort().join(' or ') || 'an archive id from archive.info',
        archiveId,
      );
    }
  }

  for (const [timeline, history] of [...histories].sort((a, b) => a[0] - b[0])) {
    const ordered = history.every(
      (entry, i) =>
        entry.parent < timeline &&
        (i === 0 || (entry.parent > history[i - 1]!.parent && entry.switchLsn >= history[i - 1]!.switchLsn)),
    );
    if (history.length === 0 || !ordered) {
      report(
        timeline,
        `does not describe how timeline ${timeline} branched (ancestors must be older timelines, in order, at increasing switch points)`,
        `ancestors older than ${timeline}`,
        describe(history),
      );
      continue;
    }
    const last = history[history.length - 1]!;
    const parentHistory = histories.get(last.parent);
    if (parentHistory !== undefined) {
      const prefix = history.slice(0, -1);
      const agrees =
        prefix.length === parentHistory.length &&
        prefix.every((e, i) => e.parent === parentHistory[i]!.parent && e.switchLsn === parentHistory[i]!.switchLsn);
      if (!agrees) {
        report(
          timeline,
          `disagrees with ${hex8(last.parent)}.history about the ancestors of timeline ${last.parent}`,
          describe(parentHistory),
          describe(prefix),
        );
      }
    }
    const first = input.firstSegments.get(timeline);
    if (input.segmentSize !== undefined && first !== undefined) {
      const switchSegment = segmentOfLsn(last.switchLsn, input.segmentSize);
      if (first < switchSegment) {
        report(
          timeline,
          `timeline ${timeline} has WAL from before it branched from timeline ${last.parent} at ${lsnText(last.switchLsn)}: the history file or the WAL belongs to another cluster or restore`,
          `first segment of timeline ${timeline} at or after segment ${switchSegment}`,
          `segment ${first}`,
        );
      }
    }
  }
  return findings;
}
