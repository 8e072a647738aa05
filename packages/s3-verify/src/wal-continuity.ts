import type { TimelineSwitch } from './timeline-history.js';

/** Consecutive segments present: `first`..`last` (inclusive), and when the first of them was written. */
export interface SegmentRun {
  first: number;
  last: number;
  /** LastModified (ms since epoch) of segment `first`, the one right after any gap before the run. */
  firstModified: number;
  /** LastModified (ms since epoch) of segment `last`, the one right before any gap after the run. */
  lastModified?: number | undefined;
}

/** A range of segment numbers (inclusive) on one timeline. */
export interface SegmentRange {
  readonly timeline: number;
  readonly first: number;
  readonly last: number;
}

/**
 * The segments of one log folder (`<timeline><log>/`) kept as runs rather than names, so memory
 * grows with the number of gaps, not the number of segments.
 *
 * @example
 * const runs = new SegmentRuns();
 * runs.add(1, Date.now()); runs.add(2, Date.now()); runs.add(5, Date.now());
 * runs.runs; // [{ first: 1, last: 2, … }, { first: 5, last: 5, … }]
 */
export class SegmentRuns {
  readonly runs: SegmentRun[] = [];
  /** Segments listed more than once (a segment archived twice with different content). */
  readonly duplicates: number[] = [];
  count = 0;

  add(segment: number, modified: number): void {
    this.count++;
    const runs = this.runs;
    const tail = runs[runs.length - 1];
    if (tail === undefined || segment > tail.last + 1) {
      runs.push({ first: segment, last: segment, firstModified: modified, lastModified: modified });
    } else if (segment === tail.last + 1) {
      tail.last = segment;
      tail.lastModified = modified;
    } else {
      this.insert(segment, modified);
    }
  }

  private insert(segment: number, modified: number): void {
    const runs = this.runs;
    let low = 0;
    let high = runs.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (runs[mid]!.last < segment) low = mid + 1;
      else high = mid;
    }
    const at = runs[low];
    if (at !== undefined && at.first <= segment) {
      if (this.duplicates.length < 1000) this.duplicates.push(segment);
      return;
    }
    const before = runs[low - 1];
    if (before !== undefined && before.last + 1 === segment) {
      before.last = segment;
      before.lastModified = modified;
      if (at !== undefined && at.first === segment + 1) {
        before.last = at.last;
        before.lastModified = at.lastModified;
        runs.splice(low, 1);
      }
    } else if (at !== undefined && at.first === segment + 1) {
      at.first = segment;
      at.firstModified = modified;
    } else {
      runs.splice(low, 0, { first: segment, last: segment, firstModified: modified, lastModified: modified });
    }
  }
}

/**
 * Joins the runs of a timeline's log folders into absolute segment numbers
 * (`log × segmentsPerLog + segment`), merging runs that continue across folders.
 *
 * @example
 * absoluteRuns(new Map([[0, runsOfLog0], [1, runsOfLog1]]), 256);
 */
export function absoluteRuns(logs: ReadonlyMap<number, SegmentRuns>, segmentsPerLog: number): SegmentRun[] {
  const result: SegmentRun[] = [];
  for (const log of [...logs.keys()].sort((a, b) => a - b)) {
    for (const run of logs.get(log)!.runs) {
      const first = log * segmentsPerLog + run.first;
      const last = log * segmentsPerLog + run.last;
      const tail = result[result.length - 1];
      if (tail !== undefined && tail.last + 1 === first) {
        tail.last = last;
        tail.lastModified = run.lastModified;
      } else result.push({ first, last, firstModified: run.firstModified, lastModified: run.lastModified });
    }
  }
  return result;
}

/** A missing range and when the segment right after it was written (for the grace period). */
export interface MissingRange {
  readonly first: number;
  readonly last: number;
  /** LastModified of the first present segment after the gap; `undefined` when none follows. */
  readonly nextModified: number | undefined;
  /** LastModified of the last present segment before the gap; `undefined` when none precedes or unknown. */
  readonly previousModified?: number | undefined;
}

/**
 * The segments of `from`..`to` that are not in `runs` (sorted, disjoint).
 *
 * @example
 * missingRanges([{ first: 1, last: 3, firstModified: 0 }, { first: 6, last: 9, firstModified: 5 }], 2, 9);
 * // [{ first: 4, last: 5, nextModified: 5 }]
 */
export function missingRanges(runs: readonly SegmentRun[], from: number, to: number): MissingRange[] {
  const missing: MissingRange[] = [];
  let expected = from;
  let previousModified: number | undefined;
  for (const run of runs) {
    if (expected > to) break;
    if (run.last < expected) {
      if (run.last + 1 === expected) previousModified = run.lastModified;
      continue;
    }
    if (run.first > expected) {
      const last = Math.min(run.first - 1, to);
      missing.push({
        first: expected,
        last,
        nextModified: run.first <= to ? run.firstModified : undefined,
        previousModified,
      });
    }
    expected = run.last + 1;
    previousModified = run.lastModified;
  }
  if (expected <= to) missing.push({ first: expected, last: to, nextModified: undefined, previousModified });
  return missing;
}

/** Segment number holding byte position `lsn`. */
export function segmentOfLsn(lsn: bigint, segmentSize: number): number {
  return Number(lsn / BigInt(segmentSize));
}

/**
 * The WAL a restore from `start` (timeline, segment) to the newest WAL of `target` needs, as one
 * range per timeline along the target's history. `undefined` when `start.timeline` is not an
 * ancestor of (or equal to) the target timeline.
 *
 * @example
 * // timeline 2 branched from 1 at 0/8000050; 16 MiB segments
 * requiredRanges({ timeline: 1, segment: 2 }, 2, history, 0x10, 16 << 20);
 * // [{ timeline: 1, first: 2, last: 7 }, { timeline: 2, first: 8, last: 16 }]
 */
export function requiredRanges(
  start: { timeline: number; segment: number },
  target: number,
  history: readonly TimelineSwitch[],
  newestOnTarget: number,
  segmentSize: number,
): SegmentRange[] | undefined {
  const path: Array<{ timeline: number; begin: number; end: number }> = [];
  let begin = 0;
  for (const entry of history) {
    if (entry.parent >= target) break;
    const switchSegment = segmentOfLsn(entry.switchLsn, segmentSize);
    path.push({ timeline: entry.parent, begin, end: switchSegment - 1 });
    begin = switchSegment;
  }
  path.push({ timeline: target, begin, end: newestOnTarget });
  const index = path.findIndex((step) => step.timeline === start.timeline);
  if (index < 0) return undefined;
  const ranges: SegmentRange[] = [];
  for (const step of path.slice(index)) {
    const first = Math.max(step.begin, start.segment);
    if (first <= step.end) ranges.push({ timeline: step.timeline, first, last: step.end });
  }
  return ranges;
}
