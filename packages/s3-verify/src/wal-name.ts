/** What a file name inside `archive/<stanza>/<archive id>/<16 hex>/` is. */
export type WalFileName =
  | {
      readonly kind: 'segment';
      readonly timeline: number;
      readonly log: number;
      readonly segment: number;
      /** `.gz`, `.lz4`, `.zst`, `.bz2` without the dot; `undefined` when stored uncompressed. */
      readonly compression: string | undefined;
    }
  | { readonly kind: 'partial'; readonly timeline: number; readonly log: number; readonly segment: number }
  | { readonly kind: 'backup-history'; readonly timeline: number; readonly log: number; readonly segment: number }
  | { readonly kind: 'other' };

const HEX24 = /^[0-9A-F]{24}$/;
const SHA1 = /^[0-9a-f]{40}$/;
const COMPRESSIONS = new Set(['gz', 'lz4', 'zst', 'bz2']);
const other: WalFileName = { kind: 'other' };

/**
 * Parses the name of a file pgBackRest keeps in a WAL log folder (segment, partial segment or
 * backup history file). Cheap enough to run on every listed object.
 *
 * @example
 * parseWalFileName('000000010000000000000002-6be7a1538e97f1c7bee645b6604c9ce2e03b02e1.gz');
 * // { kind: 'segment', timeline: 1, log: 0, segment: 2, compression: 'gz' }
 */
export function parseWalFileName(name: string): WalFileName {
  const stem = name.slice(0, 24);
  if (name.length < 25 || !HEX24.test(stem)) return other;
  const timeline = Number.parseInt(stem.slice(0, 8), 16);
  const log = Number.parseInt(stem.slice(8, 16), 16);
  const segment = Number.parseInt(stem.slice(16, 24), 16);
  const rest = name.slice(24);
  if (rest.charCodeAt(0) === 45 /* - */) {
    if (!SHA1.test(rest.slice(1, 41))) return other;
    if (rest.length === 41) return { kind: 'segment', timeline, log, segment, compression: undefined };
    const extension = rest.slice(42);
    return rest[41] === '.' && COMPRESSIONS.has(extension)
      ? { kind: 'segment', timeline, log, segment, compression: extension }
      : other;
  }
  if (rest.startsWith('.partial-')) return { kind: 'partial', timeline, log, segment };
  if (/^\.[0-9A-F]{8}\.backup$/.test(rest)) return { kind: 'backup-history', timeline, log, segment };
  return other;
}

/**
 * Parses a 24-hex WAL segment name (as in backup.info `backup-archive-start`).
 *
 * @example
 * parseSegmentName('00000002000000010000003F'); // { timeline: 2, log: 1, segment: 63 }
 */
export function parseSegmentName(name: string): { timeline: number; log: number; segment: number } | undefined {
  if (!HEX24.test(name)) return undefined;
  return {
    timeline: Number.parseInt(name.slice(0, 8), 16),
    log: Number.parseInt(name.slice(8, 16), 16),
    segment: Number.parseInt(name.slice(16, 24), 16),
  };
}

const hex8 = (value: number) => value.toString(16).toUpperCase().padStart(8, '0');

/**
 * The 24-hex name of a segment from its timeline, log and segment-within-log numbers.
 *
 * @example
 * segmentNameOf(2, 0, 8); // '000000020000000000000008'
 */
export function segmentNameOf(timeline: number, log: number, segment: number): string {
  return hex8(timeline) + hex8(log) + hex8(segment);
}

/**
 * The 24-hex name of absolute segment number `segmentNumber` on `timeline`.
 *
 * @example
 * segmentName(1, 0x1ff, 256); // '0000000100000001000000FF'
 */
export function segmentName(timeline: number, segmentNumber: number, segmentsPerLog: number): string {
  return hex8(timeline) + hex8(Math.floor(segmentNumber / segmentsPerLog)) + hex8(segmentNumber % segmentsPerLog);
}

/**
 * Number of segments in one 4 GiB log for a segment size in bytes.
 *
 * @example
 * segmentsPerLog(16 * 1024 * 1024); // 256
 */
export function segmentsPerLog(segmentSize: number): number {
  return 0x1_0000_0000 / segmentSize;
}

/**
 * Parses an LSN written as `X/Y` (hex) into a bigint.
 *
 * @example
 * parseLsn('0/8000050'); // 134217808n
 */
export function parseLsn(text: string): bigint | undefined {
  const match = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(text.trim());
  if (match === null) return undefined;
  return (BigInt(`0x${match[1]}`) << 32n) | BigInt(`0x${match[2]}`);
}

/**
 * True when `size` is a valid PostgreSQL WAL segment size (a power of two from 1 MiB to 1 GiB).
 *
 * @example
 * isValidSegmentSize(16 * 1024 * 1024); // true
 */
export function isValidSegmentSize(size: number): boolean {
  return Number.isInteger(size) && size >= 1 << 20 && size <= 1 << 30 && (size & (size - 1)) === 0;
}
