import type { ListedObject } from './storage.js';
import { SegmentRuns } from './wal-continuity.js';
import { parseWalFileName } from './wal-name.js';

const UNKNOWN_COMPRESSION = /^[0-9A-F]{24}-[0-9a-f]{40}\.[^.]+$/;

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
 * const cursor = scan.cursor('archive/main/15-1/');
 * for await (const page of storage.list('archive/main/15-1/')) cursor.add(page.objects);
 */
export class ArchiveScan {
  /** timeline → log → runs */
  readonly timelines = new Map<number, Map<number, SegmentRuns>>();
  /** timeline → key of its `.history` file */
  readonly historyKeys = new Map<number, string>();
  /** Keys of segments whose compression extension pgBackRest does not write (first 100). */
  readonly unknownCompressions: string[] = [];
  objects = 0;
  bytes = 0;
  segments = 0;
  /** Stored bytes of those segments. */
  segmentBytes = 0;
  /** Sizes of uncompressed segment objects (size → count); more than one entry means a mix. */
  readonly plainSegmentSizes = new Map<number, number>();
  /** The first segment of each log folder, up to `sampleLimit`. */
  readonly samples: SampledSegment[] = [];
  /** The key prefix of the archive id folder (`archive/<stanza>/<archive id>/`), once a cursor was made. */
  prefix: string | undefined;

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

  /**
   * A cursor over a flat listing of part of the archive id folder (`idPrefix`), for one listing
   * task: keys `<idPrefix><timeline 8 hex><log 8 hex>/<name>`; keys directly under `idPrefix` are
   * skipped (see {@link ArchiveScan.addTopLevel}).
   */
  cursor(idPrefix: string, startAfter = ''): ArchiveCursor {
    this.prefix = idPrefix;
    return new ArchiveCursor(this, idPrefix, startAfter);
  }

  /** Counts one segment object of a log folder. */
  addSegment(runs: SegmentRuns, key: string, size: number, modified: number, nameOffset: number): void {
    this.objects++;
    this.bytes += size;
    const name = parseWalFileName(key.slice(nameOffset));
    if (name.kind !== 'segment') {
      if (this.unknownCompressions.length < 100 && UNKNOWN_COMPRESSION.test(key.slice(nameOffset))) {
        this.unknownCompressions.push(key);
      }
      return;
    }
    this.segments++;
    this.segmentBytes += size;
    runs.add(name.segment, modified);
    if (name.compression === undefined) {
      this.plainSegmentSizes.set(size, (this.plainSegmentSizes.get(size) ?? 0) + 1);
    }
    if (runs.count === 1 && this.samples.length < this.sampleLimit) {
      this.samples.push({ key, size, compression: name.compression });
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

/** Walks listing pages of an archive id folder, switching log folders as keys go by. */
export class ArchiveCursor {
  private folderHex = '';
  private runs: SegmentRuns | undefined;

  constructor(
    private readonly scan: ArchiveScan,
    private readonly idPrefix: string,
    /** Keys up to this one are ignored, should a service not honour StartAfter. */
    private readonly startAfter: string,
  ) {}

  /**
   * Adds one page; returns false at the first key at or beyond `stopAt` (the listing can stop).
   *
   * @example
   * for await (const page of storage.list(idPrefix, { startAfter: from })) if (!cursor.add(page.objects, to)) break;
   */
  add(objects: readonly ListedObject[], stopAt?: string): boolean {
    const start = this.idPrefix.length;
    const nameOffset = start + 17;
    for (const object of objects) {
      const key = object.key;
      if (stopAt !== undefined && key >= stopAt) return false;
      if (key <= this.startAfter) continue;
      if (key.charCodeAt(start + 16) !== 47 /* / */) continue;
      const hex = key.slice(start, start + 16);
      if (hex !== this.folderHex || this.runs === undefined) {
        if (!/^[0-9A-F]{16}$/.test(hex)) continue;
        this.folderHex = hex;
        this.runs = this.scan.folder(Number.parseInt(hex.slice(0, 8), 16), Number.parseInt(hex.slice(8), 16));
      }
      this.scan.addSegment(this.runs, key, object.size, object.modified, nameOffset);
    }
    return true;
  }
}
