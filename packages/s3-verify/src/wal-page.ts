/** XLOG_PAGE_MAGIC per PostgreSQL major version (the WAL format's version mark). */
const WAL_MAGIC: Readonly<Record<string, number>> = {
  '9.6': 0xd093,
  '10': 0xd097,
  '11': 0xd098,
  '12': 0xd101,
  '13': 0xd106,
  '14': 0xd10d,
  '15': 0xd110,
  '16': 0xd113,
  '17': 0xd116,
  '18': 0xd118,
};

/**
 * The WAL page magic of a PostgreSQL version; `undefined` for a version this package does not know.
 *
 * @example
 * walMagic('15'); // 0xd110
 */
export function walMagic(pgVersion: string | null): number | undefined {
  return pgVersion === null ? undefined : WAL_MAGIC[pgVersion];
}

/** What the first page header of a segment says. */
export interface WalPageHeader {
  readonly magic: number;
  readonly timeline: number;
  /** Byte position (LSN) of the page. */
  readonly pageAddress: bigint;
}

/**
 * Reads the page header (XLogPageHeaderData) at the start of an uncompressed WAL segment: magic
 * (offset 0), timeline (4) and page address (8), little-endian. `undefined` for fewer than 16 bytes.
 *
 * @example
 * readWalPageHeader(firstBytes)?.timeline; // 1
 */
export function readWalPageHeader(bytes: Uint8Array): WalPageHeader | undefined {
  if (bytes.length < 16) return undefined;
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { magic: view.readUInt16LE(0), timeline: view.readUInt32LE(4), pageAddress: view.readBigUInt64LE(8) };
}

/**
 * How a segment's first page header disagrees with the segment's name and the cluster's version;
 * `undefined` when it agrees. Pure.
 *
 * @example
 * walHeaderMismatch(header, { timeline: 1, segment: 3, segmentSize: 16 << 20, magic: 0xd110 });
 */
export function walHeaderMismatch(
  header: WalPageHeader | undefined,
  expected: { timeline: number; segment: number; segmentSize: number; magic: number | undefined },
): { expected: string; found: string } | undefined {
  if (header === undefined) return { expected: 'a WAL page header', found: 'fewer than 16 bytes' };
  const address = BigInt(expected.segment) * BigInt(expected.segmentSize);
  const hex = (n: number) => `0x${n.toString(16).toUpperCase()}`;
  const lsn = (n: bigint) => `${(n >> 32n).toString(16).toUpperCase()}/${(n & 0xffffffffn).toString(16).toUpperCase()}`;
  if (expected.magic !== undefined && header.magic !== expected.magic) {
    return { expected: `magic ${hex(expected.magic)}`, found: `magic ${hex(header.magic)}` };
  }
  // The first segment of a new timeline starts with the parent's pages, copied up to the switch.
  if (header.timeline > expected.timeline || header.timeline < 1 || header.pageAddress !== address) {
    return {
      expected: `timeline ${expected.timeline}, address ${lsn(address)}`,
      found: `timeline ${header.timeline}, address ${lsn(header.pageAddress)}`,
    };
  }
  return undefined;
}
