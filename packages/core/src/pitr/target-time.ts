import { AmbiguousLocalTimeError, NonexistentLocalTimeError, RestoreTargetError } from './errors.js';

const ISO_WITH_OFFSET =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)$/;

const LOCAL_WITH_ZONE =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?\s+([A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+)*)$/;

const HINT =
  "e.g. '2026-11-24T02:00:00+00:00', '2026-11-24 02:00:00Z' or a local time with an IANA zone, '2026-02-01 12:00:00 America/Toronto'";

interface Fields {
  readonly y: number;
  readonly mo: number;
  readonly d: number;
  readonly h: number;
  readonly mi: number;
  readonly s: number;
  readonly ms: number;
}

function checkFields(time: string, f: Fields): void {
  const probe = new Date(Date.UTC(f.y, f.mo - 1, f.d, f.h, f.mi, f.s));
  if (
    f.mo < 1 ||
    f.mo > 12 ||
    f.h > 23 ||
    f.mi > 59 ||
    f.s > 59 ||
    probe.getUTCDate() !== f.d ||
    probe.getUTCMonth() !== f.mo - 1
  ) {
    throw new RestoreTargetError(`Target time '${time}' is not a valid date and time.`);
  }
}

function fields(match: RegExpExecArray): Fields {
  const [, y, mo, d, h, mi, s = '00', frac = ''] = match;
  return {
    y: Number(y),
    mo: Number(mo),
    d: Number(d),
    h: Number(h),
    mi: Number(mi),
    s: Number(s),
    ms: frac === '' ? 0 : Number(frac.slice(1, 4).padEnd(3, '0')),
  };
}

function zoneFormatter(zone: string): Intl.DateTimeFormat | undefined {
  try {
    return new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
  } catch {
    return undefined;
  }
}

/** The zone's wall clock at an instant, as milliseconds of a UTC date with the same fields. */
function wallClock(format: Intl.DateTimeFormat, instant: number): number {
  const parts = Object.fromEntries(format.formatToParts(new Date(instant)).map((p) => [p.type, p.value]));
  return Date.UTC(
    Number(parts['year']),
    Number(parts['month']) - 1,
    Number(parts['day']),
    Number(parts['hour']),
    Number(parts['minute']),
    Number(parts['second']),
  );
}

function offsetText(offsetMs: number): string {
  const minutes = Math.round(offsetMs / 60_000);
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/**
 * The instants at which `zone`'s wall clock shows the given local time: none in a daylight-saving gap, two in an
 * overlap, one otherwise.
 */
function localInstants(format: Intl.DateTimeFormat, f: Fields): number[] {
  const wall = Date.UTC(f.y, f.mo - 1, f.d, f.h, f.mi, f.s);
  const day = 86_400_000;
  const offsets = new Set([wallClock(format, wall - day) - (wall - day), wallClock(format, wall + day) - (wall + day)]);
  const found = new Set<number>();
  for (const offset of offsets) {
    const instant = wall - offset;
    if (wallClock(format, instant) === wall) found.add(instant);
  }
  return [...found].sort((a, b) => a - b).map((instant) => instant + f.ms);
}

function zonedTime(time: string, match: RegExpExecArray): Date {
  const f = fields(match);
  checkFields(time, f);
  const zone = match[8] ?? '';
  const format = zoneFormatter(zone);
  if (format === undefined) {
    throw new RestoreTargetError(
      `Target time '${time}': unknown time zone '${zone}'; use an IANA name such as 'America/Toronto' or 'UTC', or an offset.`,
    );
  }
  const local = `${match[1]}-${match[2]}-${match[3]} ${match[4]}:${match[5]}:${match[6] ?? '00'}`;
  const instants = localInstants(format, f);
  const [first, second] = instants;
  if (first === undefined) {
    throw new NonexistentLocalTimeError(
      `Target time '${time}' does not exist: ${local} falls in the daylight-saving gap of ${zone} (clocks were moved forward). Give the instant with an explicit offset instead.`,
      { zone, local },
    );
  }
  if (second !== undefined) {
    const choices = instants.map((instant) => {
      const offset = wallClock(format, instant - f.ms) - (instant - f.ms);
      return `${local}${offsetText(offset)}`;
    });
    throw new AmbiguousLocalTimeError(
      `Target time '${time}' is ambiguous: ${local} happens twice in ${zone} (clocks were moved back). Give one of ${choices.map((c) => `'${c}'`).join(' or ')}.`,
      { zone, local, choices },
    );
  }
  return new Date(first);
}

/**
 * Reads a target time given as a `Date`, as ISO-8601 text WITH an offset (`Z`, `+02`, `+02:00`, `-0330`), or as a
 * local time followed by an IANA time zone (`2026-02-01 12:00:00 America/Toronto`). Text without an offset or a zone
 * is refused: pgBackRest and PostgreSQL would read it in the server's time zone. A local time that falls in a
 * daylight-saving gap (does not exist) or overlap (happens twice) is refused too, naming the offsets to choose from.
 *
 * @throws {RestoreTargetError} for offset-less or malformed text, an unknown zone, or an invalid Date;
 *   {@link NonexistentLocalTimeError} and {@link AmbiguousLocalTimeError} (both RestoreTargetErrors) around
 *   daylight-saving changes.
 * @example
 * parseTargetTime('2026-11-24T03:00:00+01:00').toISOString(); // '2026-11-24T02:00:00.000Z'
 * parseTargetTime('2026-02-01 12:00:00 America/Toronto').toISOString(); // '2026-02-01T17:00:00.000Z'
 */
export function parseTargetTime(time: Date | string): Date {
  if (time instanceof Date) {
    if (Number.isNaN(time.getTime())) throw new RestoreTargetError('Target time is an invalid Date.');
    return time;
  }
  const text = time.trim();
  const zoned = LOCAL_WITH_ZONE.exec(text);
  if (zoned !== null && !/^[zZ]$/.test(zoned[8] ?? '')) return zonedTime(time, zoned);
  const match = ISO_WITH_OFFSET.exec(text);
  if (match === null) {
    throw new RestoreTargetError(
      `Target time '${time}' needs a date, a time and an explicit UTC offset or IANA time zone, ${HINT}.`,
    );
  }
  checkFields(time, fields(match));
  const [, y, mo, d, h, mi, s = '00', frac = '', zone = 'Z'] = match;
  const offset = zone.toUpperCase() === 'Z' ? 'Z' : `${zone.slice(0, 3)}:${zone.slice(3).replace(':', '') || '00'}`;
  const millis = frac === '' ? '' : frac.slice(0, 4).padEnd(4, '0');
  const date = new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}${millis}${offset}`);
  if (Number.isNaN(date.getTime())) {
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
