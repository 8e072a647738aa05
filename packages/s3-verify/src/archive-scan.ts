import type { ListedObject } from './bucket.js';
import { SegmentRuns } from './wal-continuity.js';
import { parseWalFileName } from './wal-name.js';

/** A segment object kept as a sample (for the header read and the encryption check). */
export interface SampledSegment {
  readonly key: string;
  readonly size: number;
  readonly compression: string | undefined;
}

/**
 * What the listing of one archive id (`archive/<stanza>/<id>/`) shows, kept small: runs of
 * segments per timeline and log folder, counts, sizes and a few sample keys.
 *
 * @example
 * const scan = new ArchiveScan('15-1');
 * scan.addFolderPage(1, 0, 'archive/main/15-1/0000000100000000/', page.objects);
 */
export class ArchiveScan {
  /** timeline → log → runs */
  readonly timelines = new Map<number, Map<number, SegmentRuns>>();
  /** timeline → key of its `.history` file */
  readonly historyKeys = new Map<number, string>();
  objects = 0;
  bytes = 0;
  segments = 0;
  /** Sizes of uncompressed segment objects (size → count); more than one entry means a mix. */
  readonly plainSegmentSizes = new Map<number, number>();
  /** The first segment of each log folder, up to `sampleLimit`. */
  readonly samples: SampledSegment[] = [];

  constructor(
    readonly archiveId: string,
    readonly sampleLimit = 64,
  ) {}

  /** Registers the objects directly under the archive id folder (`.history` files). */
  addTopLevel(objects: readonly ListedObject[]): void {
    for (const object of objects) {
      this.objects++;
      this.bytes += object.size;
      const name = object.key.slice(object.key.lastIndexOf('/') + 1);
      const match = /^([0-9A-F]{8})\.history(?:\.(?:gz|lz4|zst|bz2))?$/.exec(name);
      if (match !== null) this.historyKeys.set(Number.parseInt(match[1]!, 16), object.key);
    }
  }

  /** Prepares the runs of one log folder; call before its pages. */
  folder(timeline: number, log: number): SegmentRuns {
    let logs = this.timelines.get(timeline);
    if (logs === undefined) {
      logs = new Map();
      this.timelines.set(timeline, logs);
    }
    let runs = logs.get(log);
    if (runs === undefined) {
      runs = new SegmentRuns();
      logs.set(log, runs);
    }
    return runs;
  }

  /** Adds one listing page of the log folder `prefix` (`…/<timeline><log>/`). */
  addFolderPage(runs: SegmentRuns, prefix: string, objects: readonly ListedObject[]): void {
    const offset = prefix.length;
    for (const object of objects) {
      this.objects++;
      this.bytes += object.size;
      const name = parseWalFileName(object.key.slice(offset));
      if (name.kind !== 'segment') continue;
      this.segments++;
      runs.add(name.segment, object.modified);
      if (name.compression === undefined) {
        this.plainSegmentSizes.set(object.size, (this.plainSegmentSizes.get(object.size) ?? 0) + 1);
      }
      if (runs.count === 1 && this.samples.length < this.sampleLimit) {
        this.samples.push({ key: object.key, size: object.size, compression: name.compression });
      }
    }
  }

  /** The newest (highest) timeline with at least one segment. */
  newestTimeline(): number | undefined {
    let newest: number | undefined;
    for (const [timeline, logs] of this.timelines) {
      if ([...logs.values()].some((r) => r.count > 0) && (newest === undefined || timeline > newest)) newest = timeline;
    }
    return newest;
  }
}
