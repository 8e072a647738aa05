import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyWalSegments } from '../../src/deep-wal.js';
import { findNewestRestorableInstant } from '../../src/newest-instant.js';
import { PosixStorage } from '../../src/posix-storage.js';
import { SharedDecodes } from '../../src/shared-decodes.js';
import type { ByteRange } from '../../src/storage.js';

/** A local repository that counts the objects it opens. */
class CountingStorage extends PosixStorage {
  opened = 0;
  override stream(key: string, range?: ByteRange, signal?: AbortSignal) {
    this.opened++;
    return super.stream(key, range, signal);
  }
}

const fixture = (name: string) => new URL(`../fixtures/wal/${name}`, import.meta.url);

// The PostgreSQL 17 segment recorded by fixtures/wal/record.sh, stored as pgBackRest stores WAL (gz, the
// SHA-1 of the content in the name) in a posix repository with 1 MiB segments.
describe('findNewestRestorableInstant on a posix archive', () => {
  let root: string;
  let expected: { segment: string; lastCommit: { xid: number; at: string }; lastCheckpoint: { at: string } };
  const idPrefix = 'archive/main/17-1/';

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'chronos-newest-instant-'));
    expected = JSON.parse(await readFile(fixture('17.expected.json'), 'utf8'));
    const stored = await readFile(fixture('17.segment.gz'));
    const sha1 = createHash('sha1').update(gunzipSync(stored)).digest('hex');
    const folder = join(root, idPrefix, expected.segment.slice(0, 16));
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, `${expected.segment}-${sha1}.gz`), stored);
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  const find = (newest: string, maxSegments?: number) =>
    findNewestRestorableInstant({
      storage: new PosixStorage(root),
      archiveId: '17-1',
      idPrefix,
      timelines: [{ timeline: 1, newest }],
      segmentSize: 1 << 20,
      walPassphrase: undefined,
      signal: undefined,
      ...(maxSegments === undefined ? {} : { maxSegments }),
    });

  it('reads the newest segment and reports its last commit and checkpoint', async () => {
    const instant = await find(expected.segment);
    expect(instant).toMatchObject({
      archiveId: '17-1',
      timeline: 1,
      newestSegment: expected.segment,
      segmentsRead: [expected.segment],
      lastCommit: {
        xid: expected.lastCommit.xid,
        at: `${expected.lastCommit.at.slice(0, 23)}Z`,
        segment: expected.segment,
      },
      lastCheckpoint: { at: expected.lastCheckpoint.at.replace('Z', '.000Z'), kind: 'online' },
      damagedRecords: 0,
    });
  });

  it('goes back past segments it cannot find, within maxSegments', async () => {
    const later = `${expected.segment.slice(0, 22)}${(Number.parseInt(expected.segment.slice(22), 16) + 2).toString(16).toUpperCase().padStart(2, '0')}`;
    expect((await find(later, 3))?.lastCommit?.segment).toBe(expected.segment);
    expect((await find(later, 2))?.lastCommit).toBeNull();
  });
});

describe("the deep WAL check takes the newest-instant read's decodes instead of reading again", () => {
  let root: string;
  let segment: string;
  let key: string;
  const idPrefix = 'archive/main/17-1/';

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'chronos-shared-decodes-'));
    segment = JSON.parse(await readFile(fixture('17.expected.json'), 'utf8')).segment;
    const stored = await readFile(fixture('17.segment.gz'));
    const sha1 = createHash('sha1').update(gunzipSync(stored)).digest('hex');
    await mkdir(join(root, idPrefix, segment.slice(0, 16)), { recursive: true });
    key = `${idPrefix}${segment.slice(0, 16)}/${segment}-${sha1}.gz`;
    await writeFile(join(root, key), stored);
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  const both = async (storage: CountingStorage, shared: SharedDecodes | undefined) => {
    const instant = await findNewestRestorableInstant({
      storage,
      archiveId: '17-1',
      idPrefix,
      timelines: [{ timeline: 1, newest: segment }],
      segmentSize: 1 << 20,
      walPassphrase: undefined,
      signal: undefined,
      maxSegments: 1,
      shared,
    });
    const wal = await verifyWalSegments({
      storage,
      stanza: 'main',
      archiveId: '17-1',
      idPrefix,
      segmentSize: 1 << 20,
      pgVersion: '17',
      walPassphrase: undefined,
      backups: [],
      concurrency: 2,
      signal: undefined,
      shared,
    });
    return { instant, wal };
  };

  it('a healthy segment: read once, the same verdict as when each reads it', async () => {
    const alone = new CountingStorage(root);
    const separately = await both(alone, undefined);
    expect(alone.opened).toBe(2);
    const sharing = new CountingStorage(root);
    const together = await both(sharing, new SharedDecodes());
    expect(sharing.opened).toBe(1);
    expect(together).toEqual(separately);
    expect(together.wal).toMatchObject({ findings: [], segments: 1, bytes: 1 << 20 });
  });

  it('a damaged segment: read once, still reported as corrupt by the WAL check', async () => {
    const stored = await readFile(join(root, key));
    const damaged = Buffer.from(stored);
    damaged[Math.floor(damaged.length / 2)]! ^= 0xff;
    await writeFile(join(root, key), damaged);
    try {
      const sharing = new CountingStorage(root);
      const { instant, wal } = await both(sharing, new SharedDecodes());
      expect(sharing.opened).toBe(1);
      expect(instant?.segmentsRead).toEqual([]);
      expect(wal.findings.map((f) => [f.code, f.where])).toEqual([['wal-segment-corrupt', { key, archiveId: '17-1' }]]);
    } finally {
      await writeFile(join(root, key), stored);
    }
  });
});
