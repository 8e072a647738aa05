import { crc32cFinish, crc32cUpdate } from './crc32c.js';

/** PostgreSQL's timestamps count microseconds from 2000-01-01T00:00:00Z. */
const PG_EPOCH_MS = 946_684_800_000n;

const XLP_FIRST_IS_CONTRECORD = 0x0001;
const XLP_LONG_HEADER = 0x0002;
const SHORT_PAGE_HEADER = 24;
const LONG_PAGE_HEADER = 40;
const RECORD_HEADER = 24;

const RM_XLOG = 0;
const RM_XACT = 1;
const XLOG_CHECKPOINT_SHUTDOWN = 0x00;
const XLOG_CHECKPOINT_ONLINE = 0x10;
const XLOG_SWITCH = 0x40;
const XACT_OPMASK = 0x70;
const XACT_KINDS: Readonly<Record<number, WalTransactionEnd['kind']>> = {
  0: 'commit',
  32: 'abort',
  48: 'commit-prepared',
  64: 'abort-prepared',
};

const BLOCK_ID_DATA_SHORT = 255;
const BLOCK_ID_DATA_LONG = 254;
const BLOCK_ID_ORIGIN = 253;
const BLOCK_ID_TOPLEVEL_XID = 252;
const MAX_BLOCK_ID = 32;
const BLOCK_HAS_IMAGE = 0x10;
const BLOCK_SAME_REL = 0x80;
const IMAGE_HAS_HOLE = 0x01;
const IMAGE_COMPRESSED = 0x04 | 0x08 | 0x10;

/** Offset of `time` (pg_time_t, seconds) in the checkpoint record's body (CheckPoint), PostgreSQL 12 and later. */
const CHECKPOINT_TIME_OFFSET = 64;

/** The end of a transaction as WAL records it: what `recovery_target_time` is compared with. */
export interface WalTransactionEnd {
  readonly kind: 'commit' | 'abort' | 'commit-prepared' | 'abort-prepared';
  /** The transaction's end time (`xact_time`). */
  readonly at: Date;
  readonly xid: number;
  /** Position of the record, `X/X`. */
  readonly lsn: string;
}

/** A checkpoint record. */
export interface WalCheckpoint {
  readonly kind: 'online' | 'shutdown';
  readonly at: Date;
  readonly lsn: string;
  /** Where replay of this checkpoint starts (`redo`), `X/X`. */
  readonly redo: string;
  readonly timeline: number;
}

/** What {@link scanWalSegment} found in one segment. */
export interface WalSegmentScan {
  /** Timeline of the segment's first page. */
  readonly timeline: number;
  /** Position of the segment's first byte, `X/X`. */
  readonly startLsn: string;
  /** Records whose checksum matched. */
  readonly records: number;
  /** Position right after the last valid record, `X/X`. */
  readonly endLsn: string;
  /** Records that failed their CRC-32C or had an impossible length (reading went on at the next page). */
  readonly damagedRecords: number;
  /** The segment ends with an `XLOG_SWITCH` record (the rest of it is padding). */
  readonly switched: boolean;
  /** Last commit or commit of a prepared transaction. */
  readonly lastCommit: WalTransactionEnd | undefined;
  /** Last end of a transaction of any kind (commit or abort): a recovery target time can stop there too. */
  readonly lastTransactionEnd: WalTransactionEnd | undefined;
  readonly lastCheckpoint: WalCheckpoint | undefined;
}

/** A buffer that does not hold a WAL segment's first page. */
export class WalRecordFormatError extends Error {
  override readonly name = 'WalRecordFormatError';
}

function formatLsn(lsn: bigint): string {
  return `${(lsn >> 32n).toString(16).toUpperCase()}/${(lsn & 0xffffffffn).toString(16).toUpperCase()}`;
}

function pgTimestamp(micros: bigint): Date {
  return new Date(Number(PG_EPOCH_MS + micros / 1000n));
}

/** The record stream of a segment: page payloads joined, page headers left out. */
interface Payload {
  readonly bytes: Buffer;
  /** LSN of payload byte `pos`. */
  lsnOf(pos: number): bigint;
  /** Payload position of the first byte after the page header of the page holding `pos`'s next page. */
  nextPageStart(pos: number): number;
  /** `xlp_rem_len` and `xlp_info` of the page whose payload starts at `pos`. */
  pageAt(pos: number): { remaining: number; info: number } | undefined;
}

function payloadOf(
  segment: Buffer,
  blockSize: number,
  base: bigint,
  magic: number,
  timeline: number,
  into: Buffer | undefined,
): Payload {
  const pages: Array<{ remaining: number; info: number }> = [];
  const chunks: Array<[start: number, end: number]> = [];
  const firstPayload = blockSize - LONG_PAGE_HEADER;
  const pagePayload = blockSize - SHORT_PAGE_HEADER;
  for (let offset = 0; offset + blockSize <= segment.length; offset += blockSize) {
    const info = segment.readUInt16LE(offset + 2);
    const pageTimeline = segment.readUInt32LE(offset + 4);
    if (
      segment.readUInt16LE(offset) !== magic ||
      segment.readBigUInt64LE(offset + 8) !== base + BigInt(offset) ||
      pageTimeline < timeline
    ) {
      break;
    }
    const header = offset === 0 ? LONG_PAGE_HEADER : SHORT_PAGE_HEADER;
    pages.push({ remaining: segment.readUInt32LE(offset + 16), info });
    chunks.push([offset + header, offset + blockSize]);
  }
  const length = chunks.reduce((sum, [start, end]) => sum + end - start, 0);
  const bytes = into !== undefined && into.length >= length ? into.subarray(0, length) : Buffer.allocUnsafe(length);
  let at = 0;
  for (const [start, end] of chunks) {
    // Each page's payload moves down (never over a page header not read yet): in place, with no copy of its own.
    if (into === segment) segment.copyWithin(at, start, end);
    else segment.copy(bytes, at, start, end);
    at += end - start;
  }
  const pageIndex = (pos: number) => (pos < firstPayload ? 0 : 1 + Math.floor((pos - firstPayload) / pagePayload));
  const pageStart = (page: number) => (page === 0 ? 0 : firstPayload + (page - 1) * pagePayload);
  return {
    bytes,
    lsnOf(pos) {
      const page = pageIndex(pos);
      const header = page === 0 ? LONG_PAGE_HEADER : SHORT_PAGE_HEADER;
      return base + BigInt(page * blockSize + header + (pos - pageStart(page)));
    },
    nextPageStart(pos) {
      return pageStart(pageIndex(pos) + 1);
    },
    pageAt(pos) {
      return pages[pageIndex(pos)];
    },
  };
}

const align8 = (n: number) => (n + 7) & ~7;

/** Length of the main data and whether the record's headers could be walked. */
function mainDataLength(record: Buffer): number | undefined {
  let cursor = RECORD_HEADER;
  while (cursor < record.length) {
    const id = record[cursor]!;
    if (id === BLOCK_ID_DATA_SHORT) return record[cursor + 1];
    if (id === BLOCK_ID_DATA_LONG) return cursor + 5 <= record.length ? record.readUInt32LE(cursor + 1) : undefined;
    if (id === BLOCK_ID_ORIGIN) cursor += 3;
    else if (id === BLOCK_ID_TOPLEVEL_XID) cursor += 5;
    else if (id <= MAX_BLOCK_ID) {
      if (cursor + 4 > record.length) return undefined;
      const forkFlags = record[cursor + 1]!;
      cursor += 4;
      if (forkFlags & BLOCK_HAS_IMAGE) {
        if (cursor + 5 > record.length) return undefined;
        const imageInfo = record[cursor + 4]!;
        cursor += 5;
        if (imageInfo & IMAGE_HAS_HOLE && imageInfo & IMAGE_COMPRESSED) cursor += 2;
      }
      if (!(forkFlags & BLOCK_SAME_REL)) cursor += 12;
      cursor += 4;
    } else return undefined;
  }
  return 0;
}

/**
 * Reads the WAL records of one uncompressed segment (PostgreSQL 12 and later, including 15, 17 and 18)
 * and returns the last commit, the last end of any transaction and the last checkpoint it holds, with
 * their times. Every record's CRC-32C is checked; a record that fails it is skipped up to the next page
 * that starts a record. Records that began in the previous segment are not read (their start is not
 * here); a record that continues into the next segment is not read either. Pure, unless `into` is given: the
 * records' bytes, without page headers, are then gathered there when it is large enough (`into` may be `segment`
 * itself, which is then overwritten; otherwise a new buffer holds them).
 *
 * @example
 * const scan = scanWalSegment(await readFile('000000010000000000000003'));
 * scan.lastCommit?.at; // 2026-12-02T05:01:02.345Z
 */
export function scanWalSegment(segment: Buffer, into?: Buffer): WalSegmentScan {
  if (segment.length < LONG_PAGE_HEADER || (segment.readUInt16LE(2) & XLP_LONG_HEADER) === 0) {
    throw new WalRecordFormatError('not the start of a WAL segment: its first page has no long page header');
  }
  const magic = segment.readUInt16LE(0);
  const timeline = segment.readUInt32LE(4);
  const base = segment.readBigUInt64LE(8);
  const blockSize = segment.readUInt32LE(36);
  if (blockSize < 1024 || blockSize > 65536 || (blockSize & (blockSize - 1)) !== 0) {
    throw new WalRecordFormatError(`not a WAL segment: WAL block size ${blockSize} is impossible`);
  }
  const payload = payloadOf(segment, blockSize, base, magic, timeline, into);
  const bytes = payload.bytes;
  const first = payload.pageAt(0);
  let pos = first !== undefined && first.info & XLP_FIRST_IS_CONTRECORD ? align8(first.remaining) : 0;
  let records = 0;
  let damaged = 0;
  let switched = false;
  let end = pos;
  let lastCommit: WalTransactionEnd | undefined;
  let lastTransactionEnd: WalTransactionEnd | undefined;
  let lastCheckpoint: WalCheckpoint | undefined;

  const resync = (from: number): number | undefined => {
    let next = payload.nextPageStart(from);
    while (next < bytes.length) {
      const page = payload.pageAt(next);
      if (page === undefined) return undefined;
      if (!(page.info & XLP_FIRST_IS_CONTRECORD)) return next;
      const after = next + align8(page.remaining);
      if (payload.pageAt(after) !== undefined && after < bytes.length) return after;
      next = payload.nextPageStart(next);
    }
    return undefined;
  };

  while (pos + RECORD_HEADER <= bytes.length) {
    pos = align8(pos);
    if (pos + RECORD_HEADER > bytes.length) break;
    const total = bytes.readUInt32LE(pos);
    if (total === 0) {
      const next = resync(pos);
      if (next === undefined) break;
      pos = next;
      continue;
    }
    if (total >= RECORD_HEADER && pos + total > bytes.length) break;
    if (total < RECORD_HEADER) {
      damaged++;
      const next = resync(pos);
      if (next === undefined) break;
      pos = next;
      continue;
    }
    const record = bytes.subarray(pos, pos + total);
    const crc = crc32cFinish(crc32cUpdate(crc32cUpdate(0xffffffff, record, RECORD_HEADER, total), record, 0, 20));
    if (crc !== record.readUInt32LE(20)) {
      damaged++;
      const next = resync(pos);
      if (next === undefined) break;
      pos = next;
      continue;
    }
    records++;
    const lsn = payload.lsnOf(pos);
    const info = record[16]!;
    const rmid = record[17]!;
    const mainLength = rmid === RM_XACT || rmid === RM_XLOG ? mainDataLength(record) : undefined;
    const main = mainLength === undefined ? undefined : record.subarray(total - mainLength);
    if (rmid === RM_XACT && main !== undefined && main.length >= 8) {
      const kind = XACT_KINDS[info & XACT_OPMASK];
      if (kind !== undefined) {
        const end = { kind, at: pgTimestamp(main.readBigInt64LE(0)), xid: record.readUInt32LE(4), lsn: formatLsn(lsn) };
        lastTransactionEnd = end;
        if (kind === 'commit' || kind === 'commit-prepared') lastCommit = end;
      }
    } else if (rmid === RM_XLOG) {
      const op = info & 0xf0;
      if ((op === XLOG_CHECKPOINT_ONLINE || op === XLOG_CHECKPOINT_SHUTDOWN) && main !== undefined) {
        if (main.length >= CHECKPOINT_TIME_OFFSET + 8) {
          lastCheckpoint = {
            kind: op === XLOG_CHECKPOINT_ONLINE ? 'online' : 'shutdown',
            at: new Date(Number(main.readBigInt64LE(CHECKPOINT_TIME_OFFSET)) * 1000),
            lsn: formatLsn(lsn),
            redo: formatLsn(main.readBigUInt64LE(0)),
            timeline: main.readUInt32LE(8),
          };
        }
      } else if (op === XLOG_SWITCH) {
        switched = true;
        end = pos + total;
        break;
      }
    }
    pos += total;
    end = pos;
  }
  return {
    timeline,
    startLsn: formatLsn(base),
    records,
    endLsn: formatLsn(
      end >= bytes.length && bytes.length > 0 ? payload.lsnOf(bytes.length - 1) + 1n : payload.lsnOf(end),
    ),
    damagedRecords: damaged,
    switched,
    lastCommit,
    lastTransactionEnd,
    lastCheckpoint,
  };
}
