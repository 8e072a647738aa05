import { RestoreTargetError } from './errors.js';

const ISO_WITH_OFFSET =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)$/;

/**
 * Reads a target time given as a `Date` or as ISO-8601 text WITH an offset (`Z`, `+02`, `+02:00`, `-0330`).
 * Text without an offset is refused: pgBackRest and PostgreSQL would read it in the server's time zone.
 *
 * @throws {RestoreTargetError} for offset-less or malformed text, or an invalid Date.
 * @example
 * parseTargetTime('2026-11-24T03:00:00+01:00').toISOString(); // '2026-11-24T02:00:00.000Z'
 */
export function parseTargetTime(time: Date | string): Date {
  if (time instanceof Date) {
    if (Number.isNaN(time.getTime())) throw new RestoreTargetError('Target time is an invalid Date.');
    return time;
  }
  const match = ISO_WITH_OFFSET.exec(time.trim());
  if (match === null) {
    throw new RestoreTargetError(
      `Target time '${time}' needs a date, a time and an explicit UTC offset, e.g. '2026-11-24T02:00:00+00:00' or '2026-11-24 02:00:00Z'.`,
    );
  }
  const [, y, mo, d, h, mi, s = '00', frac = '', zone = 'Z'] = match;
  const offset = zone.toUpperCase() === 'Z' ? 'Z' : `${zone.slice(0, 3)}:${zone.slice(3).replace(':', '') || '00'}`;
  const millis = frac === '' ? '' : frac.slice(0, 4).padEnd(4, '0');
  const date = new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}${millis}${offset}`);
  if (Number.isNaN(date.getTime()) || Number(mo) > 12 || Number(d) > 31 || Number(h) > 23 || Number(mi) > 59) {
    throw new RestoreTargetError(`Target time '${time}' is not a valid date and time.`);
  }
  return date;
}

/**
 * Renders a time as pgBackRest's `--target` expects it, in UTC with an explicit offset: `2026-11-24 02:00:00+00`
 * (milliseconds kept when not zero).
 *
 * @example
 * formatTargetTime(new Date('2026-11-24T02:00:00Z')); // '2026-11-24 02:00:00+00'
 */
export function formatTargetTime(time: Date): string {
  const iso = time.toISOString();
  const ms = iso.slice(19, 23);
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${ms === '.000' ? '' : ms}+00`;
}
