import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { forEachBounded, SharedLimit } from '../../src/pool.js';

describe('SharedLimit', () => {
  it('lets two loops run no more than the limit at once between them, and runs every piece of work', async () => {
    const limit = new SharedLimit(3);
    let running = 0;
    let most = 0;
    const done: string[] = [];
    const work = (name: string) => async () => {
      running++;
      most = Math.max(most, running);
      await sleep(2);
      running--;
      done.push(name);
    };
    const files = Array.from({ length: 12 }, (_, i) => `file-${i}`);
    const segments = Array.from({ length: 9 }, (_, i) => `segment-${i}`);
    await Promise.all([
      forEachBounded(files, 3, (name) => limit.run(work(name))),
      forEachBounded(segments, 3, (name) => limit.run(work(name))),
    ]);
    expect(most).toBe(3);
    expect(done.sort()).toEqual([...files, ...segments].sort());
  });

  it('passes on a failure and frees its place', async () => {
    const limit = new SharedLimit(1);
    await expect(limit.run(() => Promise.reject(new Error('unreadable')))).rejects.toThrow('unreadable');
    expect(await limit.run(async () => 'next')).toBe('next');
  });
});
