const TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/**
 * Continues a CRC-32C (Castagnoli, the checksum of PostgreSQL's WAL records) over `bytes`. Start with
 * `0xffffffff` and finish with {@link crc32cFinish}. Pure.
 *
 * @example
 * crc32cFinish(crc32cUpdate(0xffffffff, Buffer.from('123456789'))); // 0xe3069283
 */
export function crc32cUpdate(crc: number, bytes: Uint8Array, start = 0, end = bytes.length): number {
  let c = crc;
  for (let i = start; i < end; i++) c = TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return c;
}

/** The final CRC-32C value of a running {@link crc32cUpdate}. */
export function crc32cFinish(crc: number): number {
  return (crc ^ 0xffffffff) >>> 0;
}
