/** How far a deep verification has read, for progress displays. */
export interface VerifyProgress {
  /** Objects (files, bundle ranges, WAL segments) read and checked so far. */
  readonly objects: number;
  /** Stored bytes read so far. */
  readonly bytes: number;
  /** Objects and stored bytes to read in all, as far as the listings have shown; undefined before. */
  readonly totalObjects: number | undefined;
  readonly totalBytes: number | undefined;
  readonly elapsedMs: number;
  /** Stored bytes read per second since the start. */
  readonly bytesPerSecond: number;
  /** Seconds left at the rate so far; undefined while unknown. */
  readonly etaSeconds: number | undefined;
}

/** Counts what deep verification reads and reports it to a callback. */
export class ProgressTracker {
  private readonly started: number;
  private objects = 0;
  private bytes = 0;
  private totalObjects: number | undefined;
  private totalBytes: number | undefined;

  constructor(
    private readonly callback: (progress: VerifyProgress) => void,
    private readonly now: () => number = Date.now,
  ) {
    this.started = now();
  }

  /** Adds objects and bytes still to read (from a listing). */
  addTotal(objects: number, bytes: number): void {
    this.totalObjects = (this.totalObjects ?? 0) + objects;
    this.totalBytes = (this.totalBytes ?? 0) + bytes;
  }

  /** Records one object read. */
  read(bytes: number): void {
    this.objects++;
    this.bytes += bytes;
    this.callback(this.snapshot());
  }

  snapshot(): VerifyProgress {
    const elapsedMs = Math.max(1, this.now() - this.started);
    const bytesPerSecond = (this.bytes * 1000) / elapsedMs;
    const left = this.totalBytes === undefined ? undefined : Math.max(0, this.totalBytes - this.bytes);
    return {
      objects: this.objects,
      bytes: this.bytes,
      totalObjects: this.totalObjects,
      totalBytes: this.totalBytes,
      elapsedMs,
      bytesPerSecond,
      etaSeconds: left === undefined || bytesPerSecond === 0 ? undefined : Math.ceil(left / bytesPerSecond),
    };
  }
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
function bytesText(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${UNITS[unit]}`;
}
function durationText(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : m > 0 ? `${m}m${String(s).padStart(2, '0')}s` : `${s}s`;
}

/**
 * One line for people: objects and bytes read (of the total), rate, ETA.
 *
 * @example
 * describeProgress(progress); // "deep: 1,204/3,310 objects, 1.2 GiB/3.4 GiB, 86.0 MiB/s, ETA 27s"
 */
export function describeProgress(progress: VerifyProgress): string {
  const of = (done: string, total: string | undefined) => (total === undefined ? done : `${done}/${total}`);
  const objects = of(
    progress.objects.toLocaleString('en-US'),
    progress.totalObjects === undefined ? undefined : progress.totalObjects.toLocaleString('en-US'),
  );
  const bytes = of(
    bytesText(progress.bytes),
    progress.totalBytes === undefined ? undefined : bytesText(progress.totalBytes),
  );
  const eta = progress.etaSeconds === undefined ? '' : `, ETA ${durationText(progress.etaSeconds)}`;
  return `deep: ${objects} objects, ${bytes}, ${bytesText(progress.bytesPerSecond)}/s${eta}`;
}
