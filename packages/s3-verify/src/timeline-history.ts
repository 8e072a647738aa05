import { parseLsn } from './wal-name.js';

/** One line of a `<timeline>.history` file: `parent` ended at `switchLsn`. */
export interface TimelineSwitch {
  readonly parent: number;
  readonly switchLsn: bigint;
  readonly reason: string;
}

/** Thrown when a timeline history file has a line that is not `parentTLI<TAB>LSN<TAB>reason`. */
export class TimelineHistoryParseError extends Error {
  override readonly name = 'TimelineHistoryParseError';
}

/**
 * Parses a PostgreSQL timeline history file (`00000002.history`): every ancestor timeline and the
 * LSN where it ended, oldest first.
 *
 * @example
 * parseTimelineHistory('1\t0/8000050\treached consistency\n');
 * // [{ parent: 1, switchLsn: 134217808n, reason: 'reached consistency' }]
 */
export function parseTimelineHistory(text: string): TimelineSwitch[] {
  const switches: TimelineSwitch[] = [];
  for (const [index, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const [tli, lsn, ...reason] = line.split(/\s+/);
    const parent = Number(tli);
    const switchLsn = lsn === undefined ? undefined : parseLsn(lsn);
    if (!Number.isInteger(parent) || parent < 1 || switchLsn === undefined) {
      throw new TimelineHistoryParseError(`line ${index + 1} of a timeline history file is not "parent LSN reason"`);
    }
    switches.push({ parent, switchLsn, reason: reason.join(' ') });
  }
  return switches;
}
