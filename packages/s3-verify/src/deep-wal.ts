import type { DecodePool } from './decode-pool.js';
import { type DecodedObject, ObjectDecodeError, supportedCompressions } from './object-decoder.js';
import { forEachStreamed, type SharedLimit } from './pool.js';
import type { Finding } from './report.js';
import type { SharedDecodes } from './shared-decodes.js';
import type { RepositoryStorage } from './storage.js';
import { decodeStoredObject } from './stored-object.js';
import { parseSegmentName, parseWalFileName } from './wal-name.js';
import { readWalPageHeader, walHeaderMismatch, walMagic } from './wal-page.js';

/** Inputs of {@link verifyWalSegments}. */
export interface WalSegmentsInput {
  readonly storage: RepositoryStorage;
  readonly stanza: string;
  readonly archiveId: string;
  /** `<prefix>archive/<stanza>/<archive id>/` */
  readonly idPrefix: string;
  /** Bytes per segment; `undefined` when unknown (then size and address are not checked). */
  readonly segmentSize: number | undefined;
  readonly pgVersion: string | null;
  /** archive.info `[cipher] cipher-pass` (decrypts WAL). */
  readonly walPassphrase: string | undefined;
  /** Backups of this archive id with their WAL start and stop (24-hex names). */
  readonly backups: ReadonlyArray<{ label: string; start: string | null; stop: string | null }>;
  readonly concurrency: number;
  /** Worker threads that decode what they can (the rest is decoded on this thread). */
  readonly pool?: DecodePool | undefined;
  /** Reads at once, shared with the backup-file check running beside it. */
  readonly reads?: SharedLimit | undefined;
  readonly signal: AbortSignal | undefined;
  /** Decodes of segments another check made (the newest-instant read), taken instead of reading them again. */
  readonly shared?: SharedDecodes | undefined;
  /** Called after each segment is read, with its stored size (progress). */
  readonly onRead?: ((bytes: number) => void) | undefined;
}

async function* segmentObjects(storage: RepositoryStorage, idPrefix: string) {
  for await (const page of storage.list(idPrefix)) {
    for (const object of page.objects) {
      const slash = object.key.lastIndexOf('/');
      if (slash !== idPrefix.length + 16) continue;
      const name = object.key.slice(slash + 1);
      const parsed = parseWalFileName(name);
      if (parsed.kind === 'segment') yield { key: object.key, name, parsed, size: object.size };
    }
  }
}

/**
 * Deep check of every WAL segment of an archive id: decrypted and decompressed, its SHA-1 must equal
 * the hash in its name, its size the segment size, and its first page header the cluster's WAL magic,
 * a timeline no newer than its name's and the segment's own address. Streams the listing; holds
 * only the segments being read.
 *
 * @example
 * const { findings, segments } = await verifyWalSegments({ storage, stanza, archiveId: '15-1', idPrefix, segmentSize, pgVersion: '15', walPassphrase, backups, concurrency: 8, signal });
 */
export async function verifyWalSegments(
  input: WalSegmentsInput,
): Promise<{ findings: Finding[]; segments: number; bytes: number }> {
  const { stanza, archiveId } = input;
  const findings: Finding[] = [];
  let segments = 0;
  let bytes = 0;
  const magic = walMagic(input.pgVersion);
  const backupRanges = input.backups.flatMap((b) => {
    const start = b.start === null ? undefined : parseSegmentName(b.start);
    const stop = b.stop === null ? undefined : parseSegmentName(b.stop);
    return start === undefined || stop === undefined ? [] : [{ label: b.label, start: b.start!, stop: b.stop! }];
  });
  const breaks = (name: string) =>
    backupRanges
      .filter((b) => name.slice(0, 8) === b.start.slice(0, 8) && name >= b.start && name <= b.stop.slice(0, 24))
      .map((b) => b.label);

  const checkSegment = async (
    key: string,
    name: string,
    parsed: { timeline: number; log: number; segment: number; compression: string | undefined },
    storedSize: number,
    offered: Promise<DecodedObject | undefined> | undefined,
  ) => {
    const segmentName = name.slice(0, 24);
    const report = (code: Finding['code'], message: string, expected?: string, found?: string) =>
      findings.push({
        code,
        severity: 'error',
        message: `${key}: ${message}`,
        stanza,
        where: { key, archiveId },
        ...(expected === undefined ? {} : { expected }),
        ...(found === undefined ? {} : { found }),
        breaks: breaks(segmentName),
      });
    const compression = parsed.compression ?? 'none';
    if (!supportedCompressions.has(compression)) return;
    let decoded: DecodedObject | undefined;
    try {
      const decode = () =>
        decodeStoredObject(
          input.storage,
          key,
          undefined,
          { passphrase: input.walPassphrase, compression },
          { signal: input.signal, pool: input.pool, expected: input.segmentSize, storedSize },
        );
      decoded = await (offered === undefined
        ? decode()
        : offered.catch((error: unknown) => {
            if (error instanceof ObjectDecodeError) throw error;
            return decode();
          }));
    } catch (error) {
      if (!(error instanceof ObjectDecodeError)) {
        if (input.signal?.aborted) return;
        throw error;
      }
      segments++;
      report('wal-segment-corrupt', `${error.message}: the stored bytes are damaged`);
      return;
    }
    if (decoded === undefined) return;
    segments++;
    bytes += decoded.size;
    const expectedSha1 = name.slice(25, 65);
    if (input.segmentSize !== undefined && decoded.size !== input.segmentSize) {
      report(
        'wal-segment-size-mismatch',
        'is not one whole segment',
        `${input.segmentSize} bytes`,
        `${decoded.size} bytes`,
      );
      return;
    }
    if (input.segmentSize !== undefined) {
      const perLog = 0x1_0000_0000 / input.segmentSize;
      const mismatch = walHeaderMismatch(readWalPageHeader(decoded.head), {
        timeline: parsed.timeline,
        segment: parsed.log * perLog + parsed.segment,
        segmentSize: input.segmentSize,
        magic,
      });
      if (mismatch !== undefined) {
        report(
          'wal-segment-header-mismatch',
          'holds another segment (or not WAL): its page header does not match its name',
          mismatch.expected,
          mismatch.found,
        );
        return;
      }
    }
    if (decoded.sha1 !== expectedSha1) {
      report('wal-segment-checksum-mismatch', 'content differs from the SHA-1 in its name', expectedSha1, decoded.sha1);
    }
  };

  await forEachStreamed(
    segmentObjects(input.storage, input.idPrefix),
    input.concurrency,
    async ({ key, name, parsed, size }) => {
      try {
        const offered = input.shared?.take(key);
        const check = () => checkSegment(key, name, parsed, size, offered);
        await (input.reads === undefined || offered !== undefined ? check() : input.reads.run(check));
      } finally {
        input.onRead?.(size);
      }
    },
    input.signal,
  );
  return { findings, segments, bytes };
}
