import type { DoctorCheck } from './types.js';

/** Skew from which the doctor warns: pgBackRest's times (backup labels, PITR targets) drift visibly. */
export const CLOCK_WARN_MS = 30_000;
/** Skew from which it fails: S3 refuses signed requests more than 15 minutes off; this is well on the way. */
export const CLOCK_FAIL_MS = 5 * 60_000;

/** One clock reading taken through a round trip: the remote time and the local times before and after. */
export interface ClockReading {
  /** Remote time in milliseconds since the epoch (a `Date` header or `date +%s`: whole seconds). */
  readonly remoteMs: number;
  readonly sentMs: number;
  readonly receivedMs: number;
}

/** Remote clock minus local clock, taking the remote reading at the middle of the round trip. */
function offsetOf(reading: ClockReading): number {
  return reading.remoteMs - (reading.sentMs + reading.receivedMs) / 2;
}

/**
 * Judges the skew between the clock pgBackRest runs by and an S3 endpoint's (its `Date` header). Both readings are
 * whole seconds taken through round trips, so skews below the readings' uncertainty count as none.
 *
 * @example
 * judgeClockSkew({ id: 'clock.repo2', endpoint: '127.0.0.1:9000', where: 'container chronos-db', host, endpoint });
 */
export function judgeClockSkew(input: {
  readonly id: string;
  readonly endpoint: string;
  readonly where: string;
  readonly host: ClockReading;
  readonly s3: ClockReading;
}): DoctorCheck {
  const skew = offsetOf(input.s3) - offsetOf(input.host);
  const uncertainty =
    2_000 + (input.s3.receivedMs - input.s3.sentMs) / 2 + (input.host.receivedMs - input.host.sentMs) / 2;
  const seconds = Math.round(Math.abs(skew) / 1000);
  const title = `clock of ${input.where} against the S3 endpoint ${input.endpoint}`;
  if (Math.abs(skew) <= uncertainty) {
    return {
      id: input.id,
      title,
      status: 'ok',
      detail: `within ${Math.ceil(uncertainty / 1000)} s (the readings' resolution)`,
    };
  }
  const direction = skew > 0 ? 'behind' : 'ahead of';
  const detail = `${input.where} is ${seconds} s ${direction} the S3 endpoint's clock (its Date header)`;
  const fix = `Synchronise the clock of ${input.where} with NTP (timedatectl set-ntp true, or chrony); a container shares its host's clock. S3 refuses signed requests more than 15 minutes off (RequestTimeTooSkewed), and backup labels and recovery targets follow this clock.`;
  if (Math.abs(skew) >= CLOCK_FAIL_MS) return { id: input.id, title, status: 'fail', detail, fix };
  if (Math.abs(skew) >= CLOCK_WARN_MS) return { id: input.id, title, status: 'warn', detail, fix };
  return { id: input.id, title, status: 'ok', detail };
}

/** Prints `TZ`, the target of `/etc/localtime` and `/etc/timezone`, one `name=value` line each. */
export const ZONE_PROBE_SCRIPT =
  'echo "TZ=$TZ"; echo "localtime=$(readlink -f /etc/localtime 2>/dev/null)"; echo "timezone=$(cat /etc/timezone 2>/dev/null)"';

/**
 * The time zone a machine's daemons run in, from {@link ZONE_PROBE_SCRIPT}'s output: `/etc/localtime`'s target under
 * `zoneinfo/`, else `/etc/timezone`, else UTC (the C library's default). `TZ` counts only with `withTz` (a
 * process's own zone; cron reads the system zone).
 *
 * @example
 * parseZoneProbe('TZ=\nlocaltime=/usr/share/zoneinfo/Etc/UTC\ntimezone=Etc/UTC\n'); // 'Etc/UTC'
 */
export function parseZoneProbe(output: string, withTz = false): string {
  const value = (name: string) => {
    const line = output.split('\n').find((l) => l.startsWith(`${name}=`));
    return line?.slice(name.length + 1).trim() ?? '';
  };
  const tz = value('TZ').replace(/^:/, '');
  if (withTz && tz !== '') return tz;
  const link = /\/zoneinfo\/(?:posix\/|right\/)?(.+)$/.exec(value('localtime'));
  if (link?.[1]) return link[1];
  return value('timezone') || 'UTC';
}

/** Minutes a zone is ahead of UTC at an instant, or undefined when the zone is unknown. */
function offsetMinutes(zone: string, at: Date): number | undefined {
  try {
    const name =
      new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' })
        .formatToParts(at)
        .find((p) => p.type === 'timeZoneName')?.value ?? '';
    const match = /GMT(?:([+-])(\d\d):(\d\d))?/.exec(name);
    if (!match) return undefined;
    if (match[1] === undefined) return 0;
    return (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3]));
  } catch {
    return undefined;
  }
}

/** Instants through a year (the 1st and 15th of each month at noon UTC), enough to see any daylight-saving rule. */
function yearSamples(year: number): Date[] {
  return Array.from({ length: 24 }, (_, i) => new Date(Date.UTC(year, Math.floor(i / 2), i % 2 === 0 ? 1 : 15, 12)));
}

/**
 * True when two zones give the same local time all through the year (`Etc/UTC` and `UTC`, say).
 *
 * @example
 * zonesAgree('UTC', 'Etc/UTC', 2026); // true
 * zonesAgree('America/Toronto', 'UTC', 2026); // false
 */
export function zonesAgree(a: string, b: string, year: number): boolean {
  return yearSamples(year).every((at) => {
    const x = offsetMinutes(a, at);
    return x !== undefined && x === offsetMinutes(b, at);
  });
}

function hhmm(minutes: number): string {
  const m = ((minutes % 1440) + 1440) % 1440;
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
}

/** One schedule of a policy as the doctor sees it. */
export interface ScheduleZone {
  readonly kind: string;
  readonly cron: string;
  readonly timeZone: string;
}

/**
 * Judges the zone the schedules are written in against the zone of the machine whose cron runs them. A cron that
 * honours `CRON_TZ` (cronie, busybox) runs the compiled crontab right anyway; one that does not (and any crontab
 * written by hand in the host's zone) runs it at the host's local time, which moves against the schedule's zone
 * when daylight-saving time starts or ends.
 *
 * @example
 * judgeScheduleZone({ schedules: [{ kind: 'full', cron: '0 2 * * 0', timeZone: 'America/Toronto' }], hostZone: 'Etc/UTC', where: 'this host', year: 2026 });
 * // warn: 02:00 America/Toronto is 07:00 Etc/UTC in January, 06:00 in July
 */
export function judgeScheduleZone(input: {
  readonly schedules: readonly ScheduleZone[];
  readonly hostZone: string;
  readonly where: string;
  readonly year: number;
}): DoctorCheck {
  const id = 'schedule.time-zone';
  const title = `time zone of the schedules against ${input.where}`;
  const differing = input.schedules.filter((s) => !zonesAgree(s.timeZone, input.hostZone, input.year));
  if (differing.length === 0) {
    const zones = [...new Set(input.schedules.map((s) => s.timeZone))].join(', ');
    return { id, title, status: 'ok', detail: `schedules in ${zones}; ${input.where} runs in ${input.hostZone}` };
  }
  const january = new Date(Date.UTC(input.year, 0, 15, 12));
  const july = new Date(Date.UTC(input.year, 6, 15, 12));
  const described = differing.map((s) => {
    const fields = s.cron.trim().split(/\s+/);
    const [minute, hour] = [Number(fields[0]), Number(fields[1])];
    const head = `${s.kind} '${s.cron}' is read in ${s.timeZone}`;
    if (!Number.isInteger(minute) || !Number.isInteger(hour)) return head;
    const local = hour * 60 + minute;
    const at = (date: Date) =>
      hhmm(local - (offsetMinutes(s.timeZone, date) ?? 0) + (offsetMinutes(input.hostZone, date) ?? 0));
    const winter = at(january);
    const summer = at(july);
    return `${head}: ${hhmm(local)} there is ${winter} ${input.hostZone} in January${summer === winter ? '' : ` but ${summer} in July`}`;
  });
  const zone = differing[0]?.timeZone ?? '';
  return {
    id,
    title,
    status: 'warn',
    detail: `${input.where} runs in ${input.hostZone}; ${described.join('; ')}`,
    fix: `Install the compiled crontab on a cron that honours its CRON_TZ lines (cronie, busybox crond: see your cron's crontab(5)), or the compiled systemd timers (OnCalendar carries ${zone}), or set ${input.where}'s zone to the schedule's (timedatectl set-timezone ${zone}). A crontab line written in ${input.hostZone} by hand keeps one offset and is an hour off for part of the year.`,
  };
}
