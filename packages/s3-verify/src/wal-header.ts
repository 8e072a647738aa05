import { constants, gunzipSync } from 'node:zlib';
import { decryptPrefix } from './cipher.js';
import { isValidSegmentSize } from './wal-name.js';

/** What the long page header at the start of every WAL segment says. */
export interface WalSegmentHeader {
  readonly systemId: string;
  readonly segmentSize: number;
  readonly blockSize: number;
}

const XLP_LONG_HEADER = 0x0002;

/**
 * Reads the long page header (XLogLongPageHeaderData) at the start of an uncompressed WAL segment:
 * system id (offset 24), segment size (32) and block size (36), little-endian. `undefined` when the
 * bytes do not hold a plausible header.
 *
 * @example
 * readWalSegmentHeader(first40Bytes)?.segmentSize; // 16777216
 */
export function readWalSegmentHeader(bytes: Uint8Array): WalSegmentHeader | undefined {
  if (bytes.length < 40) return undefined;
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if ((view.readUInt16LE(2) & XLP_LONG_HEADER) === 0) return undefined;
  const segmentSize = view.readUInt32LE(32);
  const blockSize = view.readUInt32LE(36);
  if (!isValidSegmentSize(segmentSize) || blockSize < 1024 || (blockSize & (blockSize - 1)) !== 0) return undefined;
  return { systemId: view.readBigUInt64LE(24).toString(), segmentSize, blockSize };
}

/**
 * Reads the WAL header from the first bytes of a segment object as stored by pgBackRest: decrypts
 * (when `walPassphrase` is given) and gunzips (`.gz`) as much as the prefix allows. Keep the prefix
 * small (about 1 KiB): zeros compress about 1000:1. Compressions Node cannot inflate (lz4, zst, bz2)
 * give `undefined`.
 *
 * @example
 * headerFromStoredPrefix(await getRange(key, 0, 65535), 'gz', walPassphrase, key);
 */
export function headerFromStoredPrefix(
  prefix: Uint8Array,
  compression: string | undefined,
  walPassphrase: string | undefined,
  subject: string,
): WalSegmentHeader | undefined {
  let bytes: Uint8Array = walPassphrase === undefined ? prefix : decryptPrefix(prefix, walPassphrase, subject);
  if (compression === 'gz') {
    try {
      bytes = gunzipSync(bytes, { finishFlush: constants.Z_SYNC_FLUSH });
    } catch {
      return undefined;
    }
  } else if (compression !== undefined) {
    return undefined;
  }
  return readWalSegmentHeader(bytes);
}
