import { describe, expect, it } from 'vitest';
import { describeProgress, ProgressTracker, type VerifyProgress } from '../../src/progress.js';

describe('progress of a deep verification', () => {
  it('counts objects and bytes read, and derives the rate and the time left from the totals', () => {
    let clock = 1_000;
    const seen: VerifyProgress[] = [];
    const tracker = new ProgressTracker(
      (p) => seen.push(p),
      () => clock,
    );
    tracker.addTotal(4, 400 * 1024 * 1024);
    clock += 2_000;
    tracker.read(100 * 1024 * 1024);
    expect(seen.at(-1)).toEqual({
      objects: 1,
      bytes: 100 * 1024 * 1024,
      totalObjects: 4,
      totalBytes: 400 * 1024 * 1024,
      elapsedMs: 2_000,
      bytesPerSecond: 50 * 1024 * 1024,
      etaSeconds: 6,
    });
    expect(describeProgress(seen.at(-1)!)).toBe('deep: 1/4 objects, 100.0 MiB/400.0 MiB, 50.0 MiB/s, ETA 6s');
    clock += 58_000;
    tracker.read(0);
    expect(describeProgress(seen.at(-1)!)).toMatch(/^deep: 2\/4 objects, .*, ETA 3m00s$/);
  });

  it('leaves out the totals and the ETA while no listing has given them', () => {
    let clock = 0;
    const seen: VerifyProgress[] = [];
    const tracker = new ProgressTracker(
      (p) => seen.push(p),
      () => clock,
    );
    clock = 1_000;
    tracker.read(2048);
    expect(describeProgress(seen[0]!)).toBe('deep: 1 objects, 2.0 KiB, 2.0 KiB/s');
  });
});
