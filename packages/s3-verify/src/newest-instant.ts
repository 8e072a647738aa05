import type { z } from 'zod';
import type { DecodePool } from './decode-pool.js';
import type { newestRestorableInstantSchema } from './newest-instant-report.js';
import { supportedCompressions } from './object-decoder.js';
import type { SharedDecodes } from './shared-decodes.js';
import type { RepositoryStorage } from './storage.js';
import { decodeStoredObject } from './stored-object.js';
import { parseSegmentName, parseWalFileName, segmentName, segmentsPerLog } from './wal-name.js';
import { scanWalSegment, type WalSegmentScan } from './wal-records.js';

/** Segments read back from the newest one, at most, when looking for the last commit and checkpoint. */
export const DEFAULT_NEWEST_INSTANT_SEGMENTS = 4;

/**
 * The upper end of the recovery window as a time: the last commit (and the last checkpoint) in the newest
 * archived WAL of the newest timeline. A recovery with `recovery_target_time` can reach any time up to
 * `lastCommit.at`.
 */
export type NewestRestorableInstant = z.infer<typeof newestRestorableInstantSchema>;

/** Inputs of {@link findNewestRestorableInstant}. */
export interface NewestInstantInput {
  readonly storage: RepositoryStorage;
  readonly archiveId: string;
  /** `<prefix>archive/<stanza>/<archive id>/` */
  readonly idPrefix: string;
  /** Timelines of the archive id with their newest segment. */
  readonly timelines: ReadonlyArray<{ readonly timeline: number; readonly newest: string | null }>;
  /** Bytes per segment; without it only the newest segment is read. */
  readonly segmentSize: number | undefined;
  readonly walPassphrase: string | undefined;
  /** Default {@link DEFAULT_NEWEST_INSTANT_SEGMENTS}. */
  readonly maxSegments?: number;
  readonly signal: AbortSignal | undefined;
  /** Worker threads that decode what they can (the rest is decoded on this thread). */
  readonly pool?: DecodePool | undefined;
  /** Where each segment's decode is offered to the deep WAL check, which then does not read it again. */
  readonly shared?: SharedDecodes | undefined;
}

async function readSegment(
  input: NewestInstantInput,
  name: string,
): Promise<{ scan: WalSegmentScan } | { missing: true } | { unreadable: string }> {
  const folder = `${input.idPrefix}${name.slice(0, 16)}/`;
  let key: string | undefined;
  let compression = 'none';
  for await (const page of input.storage.list(`${folder}${name}-`)) {
    for (const object of page.objects) {
      const parsed = parseWalFileName(object.key.slice(folder.length));
      if (parsed.kind === 'segment' && key === undefined) {
        key = object.key;
        compression = parsed.compression ?? 'none';
      }
    }
  }
  if (key === undefined) return { missing: true };
  if (!supportedCompressions.has(compression)) return { unreadable: `compression ${compression}` };
  try {
    const decoding = decodeStoredObject(
      input.storage,
      key,
      undefined,
      { passphrase: input.walPassphrase, compression },
      { signal: input.signal, pool: input.pool, expected: input.segmentSize, keepContent: true },
    );
    input.shared?.offer(key, decoding);
    const decoded = await decoding;
    if (decoded?.content === undefined) return { missing: true };
    // The content is read once: its records are gathered in place, then its buffer goes back to the pool.
    const scan = scanWalSegment(decoded.content, decoded.content);
    input.pool?.release(decoded.content);
    return { scan };
  } catch (error) {
    if (input.signal?.aborted) throw error;
    // A damaged or unreachable segment is the deep check's finding; here it only cannot tell a time.
    return { unreadable: (error as Error).message };
  }
}

/**
 * Reads the WAL records of the newest archived segments of the newest timeline, newest first, until it has
 * found a commit and a checkpoint or read `maxSegments`, and says when the last commit and the last
 * checkpoint happened: the newest instant a point-in-time recovery can reach. `null` when the archive
 * holds no segment. Reads whole segments (one at a time, each held in memory once).
 *
 * @example
 * const instant = await findNewestRestorableInstant({ storage, archiveId: '17-1', idPrefix, timelines, segmentSize, walPassphrase, signal });
 * instant?.lastCommit?.at; // '2026-12-02T05:01:02.345Z'
 */
export async function findNewestRestorableInstant(input: NewestInstantInput): Promise<NewestRestorableInstant | null> {
  const newest = [...input.timelines]
    .filter((t) => t.newest !== null)
    .sort((a, b) => b.timeline - a.timeline || (b.newest! > a.newest! ? 1 : -1))[0];
  if (newest?.newest == null) return null;
  const start = parseSegmentName(newest.newest);
  if (start === undefined) return null;
  const perLog = input.segmentSize === undefined ? undefined : segmentsPerLog(input.segmentSize);
  const limit = perLog === undefined ? 1 : (input.maxSegments ?? DEFAULT_NEWEST_INSTANT_SEGMENTS);
  const first = perLog === undefined ? 0 : start.log * perLog + start.segment;
  const segmentsRead: string[] = [];
  let lastCommit: NewestRestorableInstant['lastCommit'] = null;
  let lastCheckpoint: NewestRestorableInstant['lastCheckpoint'] = null;
  let damagedRecords = 0;
  for (let step = 0; step < limit && first - step >= 0; step++) {
    if (input.signal?.aborted) break;
    const name = perLog === undefined ? newest.newest : segmentName(newest.timeline, first - step, perLog);
    const read = await readSegment(input, name);
    if (!('scan' in read)) continue;
    segmentsRead.push(name);
    damagedRecords += read.scan.damagedRecords;
    const commit = read.scan.lastCommit;
    if (lastCommit === null && commit !== undefined) {
      lastCommit = { at: commit.at.toISOString(), xid: commit.xid, lsn: commit.lsn, segment: name };
    }
    const checkpoint = read.scan.lastCheckpoint;
    if (lastCheckpoint === null && checkpoint !== undefined) {
      lastCheckpoint = {
        at: checkpoint.at.toISOString(),
        kind: checkpoint.kind,
        lsn: checkpoint.lsn,
        redo: checkpoint.redo,
        segment: name,
      };
    }
    if (lastCommit !== null && lastCheckpoint !== null) break;
  }
  return {
    archiveId: input.archiveId,
    timeline: newest.timeline,
    newestSegment: newest.newest,
    segmentsRead,
    lastCommit,
    lastCheckpoint,
    damagedRecords,
  };
}
