const SEGMENT = /^([0-9A-F]{8})([0-9A-F]{8})([0-9A-F]{8})$/;

function split(name: string): [number, number, number] {
  const match = SEGMENT.exec(name);
  if (match === null) throw new Error(`'${name}' is not a WAL segment name`);
  return [Number.parseInt(match[1]!, 16), Number.parseInt(match[2]!, 16), Number.parseInt(match[3]!, 16)];
}

function join(tli: number, log: number, seg: number): string {
  const hex = (n: number) => n.toString(16).toUpperCase().padStart(8, '0');
  return hex(tli) + hex(log) + hex(seg);
}

function segmentsPerLog(segmentSize: number): number {
  if (!Number.isInteger(Math.log2(segmentSize)) || segmentSize < 1 << 20 || segmentSize > 1 << 30) {
    throw new Error(`WAL segment size must be a power of two from 1 MiB to 1 GiB, got ${segmentSize}`);
  }
  return 0x1_0000_0000 / segmentSize;
}

/**
 * The WAL segment after `name` on the same timeline, for a given segment size in bytes.
 *
 * @example
 * nextWalSegment('0000000100000000000000FF', 16 * 1024 * 1024); // '000000010000000100000000'
 */
export function nextWalSegment(name: string, segmentSize: number): string {
  const [tli, log, seg] = split(name);
  const perLog = segmentsPerLog(segmentSize);
  return seg + 1 >= perLog ? join(tli, log + 1, 0) : join(tli, log, seg + 1);
}

/**
 * The WAL segment before `name` on the same timeline.
 *
 * @example
 * previousWalSegment('000000010000000100000000', 16 * 1024 * 1024); // '0000000100000000000000FF'
 */
export function previousWalSegment(name: string, segmentSize: number): string {
  const [tli, log, seg] = split(name);
  const perLog = segmentsPerLog(segmentSize);
  return seg === 0 ? join(tli, log - 1, perLog - 1) : join(tli, log, seg - 1);
}
