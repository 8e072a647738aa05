import type { ArchiveScan } from './archive-scan.js';
import { isValidSegmentSize } from './wal-name.js';

/**
 * Segment size from the sizes of uncompressed, unencrypted segment objects: every full segment
 * object is exactly one segment long. `undefined` when there are none or they disagree.
 *
 * @example
 * segmentSizeFromObjectSizes(new Map([[16777216, 40]])); // 16777216
 */
export function segmentSizeFromObjectSizes(sizes: ReadonlyMap<number, number>): number | undefined {
  const valid = [...sizes.keys()].filter(isValidSegmentSize);
  return valid.length === 1 && sizes.size === 1 ? valid[0] : undefined;
}

/**
 * Segment size from where log folders roll over: when log L+1 starts at segment 0, log L's
 * highest segment + 1 is the number of segments per 4 GiB log. `undefined` when the archive
 * never crossed a log boundary or the folders disagree.
 *
 * @example
 * segmentSizeFromRollover(scan); // 16777216 when log 0 ends at segment 0xFF
 */
export function segmentSizeFromRollover(scan: Pick<ArchiveScan, 'timelines'>): number | undefined {
  const found = new Set<number>();
  for (const logs of scan.timelines.values()) {
    for (const [log, runs] of logs) {
      const next = logs.get(log + 1);
      const last = runs.runs[runs.runs.length - 1];
      if (last === undefined || next?.runs[0]?.first !== 0) continue;
      const size = 0x1_0000_0000 / (last.last + 1);
      if (isValidSegmentSize(size)) found.add(size);
    }
  }
  return found.size === 1 ? [...found][0] : undefined;
}
