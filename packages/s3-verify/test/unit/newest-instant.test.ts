import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findNewestRestorableInstant } from '../../src/newest-instant.js';
import { PosixStorage } from '../../src/posix-storage.js';

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
