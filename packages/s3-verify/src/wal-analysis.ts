import type { ArchiveScan } from './archive-scan.js';
import type { Finding, ReportedSegmentRange } from './report.js';
import type { TimelineSwitch } from './timeline-history.js';
import {
  absoluteRuns,
  type MissingRange,
  missingRanges,
  requiredRanges,
  type SegmentRange,
  type SegmentRun,
} from './wal-continuity.js';
import { parseSegmentName, segmentName, segmentNameOf, segmentsPerLog } from './wal-name.js';

/** A backup as far as WAL is concerned. */
export interface BackupWal {
  readonly label: string;
  /** 24-hex names from backup.info; `null` when unknown. */
  readonly start: string | null;
  readonly stop: string | null;
  /** When the backup was consistent (backup.info `backup-timestamp-stop`, ms since the epoch); undefined when unknown. */
  readonly stopTime?: number | undefined;
}

/** Inputs of {@link analyzeArchiveWal}. */
export interface ArchiveWalInput {
  readonly stanza: string;
  readonly scan: ArchiveScan;
  /** Bytes per segment; `undefined` when unknown (then only gaps inside one log folder are found). */
  readonly segmentSize: number | undefined;
  /** Parsed `.history` files by timeline. */
  readonly histories: ReadonlyMap<number, readonly TimelineSwitch[]>;
  /** Backups of this archive id, oldest first. */
  readonly backups: readonly BackupWal[];
  readonly now: number;
  readonly graceMs: number;
  /** How far (in segments) behind the newest segment of the newest timeline a gap may still be uploading. */
  readonly inFlightSegments: number;
}

/** What {@link analyzeArchiveWal} found. */
export interface ArchiveWalResult {
  readonly findings: Finding[];
  readonly checked: ReportedSegmentRange[];
  readonly timelines: Array<{ timeline: number; segments: number; oldest: string | null; newest: string | null }>;
  /** label → whether its start..stop WAL is all there (null: not checked). */
  readonly backupWalComplete: Map<string, boolean | null>;
  /** False when the required range could not be checked as a whole. */
  readonly complete: boolean;
  /** Recovery ranges that cannot complete because of missing WAL on the restore path. */
  readonly unrecoverable: UnrecoverableRange[];
}

/** WAL positions no restore can reach from the backups before a gap. */
export interface UnrecoverableRange {
  readonly timeline: number;
  /** The last segment before the gap: recovery from older backups stops at its end. */
  readonly after: string | null;
  readonly missing: ReportedSegmentRange;
  /** The first backup that starts after the gap (restores to targets after its consistency point work again); null when none. */
  readonly until: string | null;
  /**
   * Restores to targets after this time (ISO 8601) cannot complete from the backups before the gap: when the
   * last segment before the gap was archived (its records are all older). null when unknown.
   */
  readonly from: string | null;
  /** Targets after this time (the `until` backup's stop time, ISO 8601) are reachable again; null when no backup. */
  readonly to: string | null;
  readonly message: string;
}

/**
 * Checks WAL continuity of one archive id: from the oldest backup's start to the newest segment,
 * following the newest timeline's history; each backup's own start..stop; duplicates; missing
 * history files. A gap is `wal-in-flight` (info) instead of `wal-missing` only when it is on the
 * newest timeline, ends within `inFlightSegments` of its newest segment, and the segment after it was
 * written within the grace period (WAL-G's wal-verify model: the archive-push concurrency window).
 * Gaps a later timeline closed, and gaps far behind the newest segment, are missing whatever the
 * objects' timestamps say. Pure.
 *
 * @example
 * const result = analyzeArchiveWal({ stanza, scan, segmentSize: 16 << 20, histories, backups, now: Date.now(), graceMs: 600_000, inFlightSegments: 8 });
 */
export function analyzeArchiveWal(input: ArchiveWalInput): ArchiveWalResult {
  const { stanza, scan, segmentSize, histories, backups, now, graceMs, inFlightSegments } = input;
  const archiveId = scan.archiveId;
  const findings: Finding[] = [];
  const checked: ReportedSegmentRange[] = [];
  const backupWalComplete = new Map<string, boolean | null>(backups.map((b) => [b.label, null]));
  const perLog = segmentSize === undefined ? undefined : segmentsPerLog(segmentSize);
  const name = (timeline: number, absolute: number, log?: number) =>
    perLog === undefined ? segmentNameOf(timeline, log ?? 0, absolute) : segmentName(timeline, absolute, perLog);
  const range = (timeline: number, first: number, last: number, log?: number): ReportedSegmentRange => ({
    timeline,
    first: name(timeline, first, log),
    last: name(timeline, last, log),
    count: last - first + 1,
  });

  const runsByTimeline = new Map<number, SegmentRun[]>();
  const timelines: ArchiveWalResult['timelines'] = [];
  const oldestTimeline = Math.min(...scan.timelines.keys());
  for (const timeline of [...scan.timelines.keys()].sort((a, b) => a - b)) {
    const logs = scan.timelines.get(timeline)!;
    let segments = 0;
    for (const [log, runs] of logs) {
      segments += runs.count - runs.duplicates.length;
      if (runs.duplicates.length > 0) {
        const shown = runs.duplicates.slice(0, 5).map((s) => name(timeline, s, log));
        findings.push({
          code: 'wal-duplicate',
          severity: 'warning',
          message: `${runs.duplicates.length} segment(s) archived more than once in ${archiveId} (e.g. ${shown.join(', ')})`,
          stanza,
          where: { archiveId, segments: range(timeline, runs.duplicates[0]!, runs.duplicates[0]!, log) },
        });
      }
    }
    if (perLog !== undefined) {
      const runs = absoluteRuns(logs, perLog);
      runsByTimeline.set(timeline, runs);
      timelines.push({
        timeline,
        segments,
        oldest: runs[0] === undefined ? null : name(timeline, runs[0].first),
        newest: runs.length === 0 ? null : name(timeline, runs[runs.length - 1]!.last),
      });
    } else {
      const sortedLogs = [...logs.keys()].sort((a, b) => a - b);
      const firstLog = sortedLogs[0];
      const lastLog = sortedLogs[sortedLogs.length - 1];
      const firstRun = firstLog === undefined ? undefined : logs.get(firstLog)!.runs[0];
      const lastRuns = lastLog === undefined ? undefined : logs.get(lastLog)!.runs;
      const lastRun = lastRuns?.[lastRuns.length - 1];
      timelines.push({
        timeline,
        segments,
        oldest: firstRun === undefined ? null : name(timeline, firstRun.first, firstLog),
        newest: lastRun === undefined ? null : name(timeline, lastRun.last, lastLog),
      });
    }
    // Only a switch inside this archive needs the history: a stanza created on timeline N has no older WAL.
    if (timeline > oldestTimeline && segments > 0 && !histories.has(timeline)) {
      const file = `${timeline.toString(16).toUpperCase().padStart(8, '0')}.history`;
      findings.push({
        code: 'wal-history-missing',
        severity: 'error',
        message: `timeline ${timeline} has WAL in ${archiveId} but no ${file} file: recovery cannot follow it`,
        stanza,
        where: { archiveId, ...(scan.prefix === undefined ? {} : { key: `${scan.prefix}${file}` }) },
      });
    }
  }

  const newestTimeline = scan.newestTimeline();
  const head = newestTimeline === undefined ? undefined : newestSegment(scan, newestTimeline);
  const behindHead = (timeline: number, last: number, log: number | undefined): number => {
    if (head === undefined || timeline !== newestTimeline) return Number.POSITIVE_INFINITY;
    if (perLog !== undefined) return head.log * perLog + head.segment - last;
    return log === head.log ? head.segment - last : Number.POSITIVE_INFINITY;
  };
  const report = (timeline: number, gaps: MissingRange[], log?: number) => {
    for (const gap of gaps) {
      const inFlight =
        gap.nextModified !== undefined &&
        now - gap.nextModified < graceMs &&
        behindHead(timeline, gap.last, log) <= inFlightSegments;
      findings.push({
        code: inFlight ? 'wal-in-flight' : 'wal-missing',
        severity: inFlight ? 'info' : 'error',
        message: inFlight
          ? `${gap.last - gap.first + 1} segment(s) not archived yet, within ${inFlightSegments} segments of the newest (still uploading)`
          : `${gap.last - gap.first + 1} WAL segment(s) missing from ${archiveId}: ${name(timeline, gap.first, log)}..${name(timeline, gap.last, log)}`,
        stanza,
        where: { archiveId, segments: range(timeline, gap.first, gap.last, log) },
      });
    }
  };

  if (perLog === undefined) {
    findings.push({
      code: 'wal-segment-size-unknown',
      severity: 'error',
      message: `the WAL segment size of ${archiveId} could not be read or inferred: only gaps inside one log folder were checked; pass walSegmentSize`,
      stanza,
      where: { archiveId },
    });
    for (const [timeline, logs] of scan.timelines) {
      for (const [log, runs] of logs) {
        const first = runs.runs[0];
        const last = runs.runs[runs.runs.length - 1];
        if (first !== undefined && last !== undefined)
          report(timeline, missingRanges(runs.runs, first.first, last.last), log);
      }
    }
    return { findings, checked, timelines, backupWalComplete, complete: false, unrecoverable: [] };
  }

  const absolute = (segment: string | null) => {
    const parsed = segment === null ? undefined : parseSegmentName(segment);
    return parsed === undefined
      ? undefined
      : { timeline: parsed.timeline, segment: parsed.log * perLog + parsed.segment };
  };

  let complete = true;
  const unrecoverable: UnrecoverableRange[] = [];
  const target = scan.newestTimeline();
  if (target !== undefined) {
    const history = histories.get(target) ?? [];
    const newestRuns = runsByTimeline.get(target)!;
    const newest = newestRuns[newestRuns.length - 1]!.last;
    const oldestBackup = backups.map((b) => absolute(b.start)).find((s) => s !== undefined);
    let required: SegmentRange[] | undefined;
    if (oldestBackup !== undefined) required = requiredRanges(oldestBackup, target, history, newest, segmentSize!);
    if (required === undefined) {
      if (oldestBackup !== undefined) {
        complete = false;
        findings.push({
          code: 'wal-not-checked',
          severity: 'warning',
          message: `the oldest backup's timeline ${oldestBackup.timeline} is not in the history of timeline ${target}: continuity checked from the oldest archived segment instead`,
          stanza,
          where: { archiveId },
        });
      }
      const path = [...history.map((h) => h.parent), target];
      const startTimeline = path.find((t) => (runsByTimeline.get(t)?.length ?? 0) > 0) ?? target;
      const start = { timeline: startTimeline, segment: runsByTimeline.get(startTimeline)![0]!.first };
      required = requiredRanges(start, target, history, newest, segmentSize!) ?? [];
    }
    for (const step of required) {
      checked.push(range(step.timeline, step.first, step.last));
      const gaps = missingRanges(runsByTimeline.get(step.timeline) ?? [], step.first, step.last);
      report(step.timeline, gaps);
      for (const gap of gaps) {
        if (
          findings.some(
            (f) => f.code === 'wal-in-flight' && f.where?.segments?.first === name(step.timeline, gap.first),
          )
        )
          continue;
        const next = backups.find((b) => {
          const start = absolute(b.start);
          return (
            start !== undefined &&
            start.timeline >= step.timeline &&
            (start.timeline > step.timeline || start.segment > gap.last)
          );
        });
        const after = gap.first > 0 ? name(step.timeline, gap.first - 1) : null;
        const from = gap.previousModified === undefined ? null : new Date(gap.previousModified).toISOString();
        const to = next?.stopTime === undefined ? null : new Date(next.stopTime).toISOString();
        const missingText = `WAL ${name(step.timeline, gap.first)}..${name(step.timeline, gap.last)} is missing`;
        unrecoverable.push({
          timeline: step.timeline,
          after,
          missing: range(step.timeline, gap.first, gap.last),
          until: next?.label ?? null,
          from,
          to,
          message:
            next === undefined
              ? `timeline ${step.timeline}: restores to times after ${from ?? `the end of ${after ?? 'its start'}`} cannot complete (${missingText}; no later backup starts after it)`
              : `timeline ${step.timeline}: restores to times between ${from ?? `the end of ${after ?? 'its start'}`} and ${to ?? `the end of backup ${next.label}`} cannot complete (${missingText}); later targets are reachable again from backup ${next.label}`,
        });
      }
    }
  }

  for (const backup of backups) {
    const start = absolute(backup.start);
    const stop = absolute(backup.stop);
    if (start === undefined || stop === undefined || start.timeline !== stop.timeline) continue;
    const gaps = missingRanges(runsByTimeline.get(start.timeline) ?? [], start.segment, stop.segment);
    backupWalComplete.set(backup.label, gaps.length === 0);
    for (const gap of gaps) {
      findings.push({
        code: 'wal-backup-incomplete',
        severity: 'error',
        message: `backup ${backup.label} cannot be made consistent: WAL ${name(start.timeline, gap.first)}..${name(start.timeline, gap.last)} is missing`,
        stanza,
        where: { archiveId, label: backup.label, segments: range(start.timeline, gap.first, gap.last) },
      });
    }
  }
  return { findings, checked, timelines, backupWalComplete, complete, unrecoverable };
}

/** The newest segment (log, segment-within-log) of a timeline in the scan. */
function newestSegment(scan: ArchiveScan, timeline: number): { log: number; segment: number } | undefined {
  let found: { log: number; segment: number } | undefined;
  for (const [log, runs] of scan.timelines.get(timeline) ?? []) {
    const last = runs.runs[runs.runs.length - 1];
    if (last !== undefined && (found === undefined || log > found.log)) found = { log, segment: last.last };
  }
  return found;
}
