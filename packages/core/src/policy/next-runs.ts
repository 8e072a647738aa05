import { Cron, CronPattern } from 'croner';
import type { Policy, PolicySchedule, ScheduledBackupType } from './schema.js';

/** What a scheduled run does: a backup of a type, or a restore drill. */
export type RunKind = ScheduledBackupType | 'restore-drill';

/** One upcoming run of a policy's schedules. */
export interface ScheduledRun {
  readonly kind: RunKind;
  /** The instant of the run. */
  readonly at: Date;
  /** The instant in UTC, ISO 8601 (`2027-01-03T07:00:00.000Z`). */
  readonly utc: string;
  /** Wall-clock time in the schedule's time zone with its offset (`2027-01-03T02:00:00-05:00`). */
  readonly local: string;
  readonly timeZone: string;
}

/** Options of {@link nextRuns}. */
export interface NextRunsOptions {
  /** Runs strictly after this instant. */
  readonly from: Date;
  /** How many runs to return (all kinds merged, earliest first). */
  readonly count: number;
  /** Kinds to include; default every scheduled kind, restore drills included. */
  readonly kinds?: readonly RunKind[];
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      timeZoneName: 'longOffset',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/**
 * Formats an instant as local wall-clock time with its UTC offset in an IANA time zone.
 *
 * @example
 * localTimeWithOffset(new Date('2027-07-04T06:00:00Z'), 'America/Toronto'); // '2027-07-04T02:00:00-04:00'
 */
export function localTimeWithOffset(instant: Date, timeZone: string): string {
  const parts = formatterFor(timeZone).formatToParts(instant);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  const offsetName = part('timeZoneName').replace('GMT', '');
  const offset = offsetName === '' ? '+00:00' : offsetName;
  return `${part('year')}-${part('month')}-${part('day')}T${part('hour')}:${part('minute')}:${part('second')}${offset}`;
}

/**
 * The schedules of a policy by run kind (restore drill included when the policy has one).
 *
 * @example
 * policySchedules(policy).map(([kind]) => kind); // ['full', 'diff', 'restore-drill']
 */
export function policySchedules(policy: Policy): [RunKind, PolicySchedule][] {
  const entries: [RunKind, PolicySchedule][] = [];
  for (const type of ['full', 'diff', 'incr'] as const) {
    const schedule = policy.schedule[type];
    if (schedule) entries.push([type, schedule]);
  }
  if (policy.restoreDrill) {
    entries.push(['restore-drill', { cron: policy.restoreDrill.cron, timeZone: policy.restoreDrill.timeZone }]);
  }
  return entries;
}

/**
 * Runs of one schedule strictly after `from`.
 *
 * @example
 * scheduleRuns({ cron: '0 2 * * 0', timeZone: 'America/Toronto' }, new Date(), 4);
 */
export function scheduleRuns(schedule: PolicySchedule, from: Date, count: number): Date[] {
  return scheduleCron(schedule).nextRuns(count, from);
}

/**
 * Runs of one schedule in `[from, until)`, at most `limit`.
 *
 * @example
 * scheduleRunsBetween({ cron: '0 2 * * *', timeZone: 'UTC' }, from, until).length;
 */
export function scheduleRunsBetween(schedule: PolicySchedule, from: Date, until: Date, limit = 100_000): Date[] {
  const cron = scheduleCron(schedule);
  const runs: Date[] = [];
  let next = cron.nextRun(new Date(from.getTime() - 1));
  while (next && next.getTime() < until.getTime() && runs.length < limit) {
    runs.push(next);
    next = cron.nextRun(next);
  }
  return runs;
}

function scheduleCron(schedule: PolicySchedule): Cron {
  return new Cron(schedule.cron, { timezone: schedule.timeZone, mode: '5-part', paused: true });
}

/**
 * The next runs of a policy's backup schedules and restore drill, merged in time order.
 *
 * @example
 * for (const run of nextRuns(policy, { from: new Date(), count: 5 })) console.log(run.kind, run.local);
 */
export function nextRuns(policy: Policy, options: NextRunsOptions): ScheduledRun[] {
  const runs: ScheduledRun[] = [];
  for (const [kind, schedule] of policySchedules(policy)) {
    if (options.kinds && !options.kinds.includes(kind)) continue;
    for (const at of scheduleRuns(schedule, options.from, options.count)) {
      runs.push({
        kind,
        at,
        utc: at.toISOString(),
        local: localTimeWithOffset(at, schedule.timeZone),
        timeZone: schedule.timeZone,
      });
    }
  }
  return runs.sort((a, b) => a.at.getTime() - b.at.getTime()).slice(0, options.count);
}

function utcOffsetMinutes(instant: Date, timeZone: string): number {
  const local = localTimeWithOffset(instant, timeZone);
  const sign = local.at(-6) === '-' ? -1 : 1;
  return sign * (Number(local.slice(-5, -3)) * 60 + Number(local.slice(-2)));
}

const WEEK_MS = 7 * 86_400_000;

/** Instants in (from, until] where the zone's UTC offset grows (wall-clock gaps), to the minute. */
function offsetIncreases(timeZone: string, from: Date, until: Date): number[] {
  const found: number[] = [];
  let low = from.getTime();
  let lowOffset = utcOffsetMinutes(from, timeZone);
  while (low < until.getTime()) {
    const high = Math.min(low + WEEK_MS, until.getTime());
    const highOffset = utcOffsetMinutes(new Date(high), timeZone);
    if (highOffset > lowOffset) {
      let a = low;
      let b = high;
      while (b - a > 60_000) {
        const mid = Math.floor((a + b) / 2);
        if (utcOffsetMinutes(new Date(mid), timeZone) === lowOffset) a = mid;
        else b = mid;
      }
      found.push(b);
    }
    low = high;
    lowOffset = highOffset;
  }
  return found;
}

/**
 * Runs a daylight-saving gap moved off their wall-clock time (e.g. 02:00 on the spring-forward day runs at 03:00),
 * between `from` and `until`. Only fixed-time schedules (one hour and one minute) are considered. Looks for the
 * instants the zone's UTC offset grows and asks the schedule only there.
 *
 * @example
 * dstGapRuns({ cron: '0 2 * * 0', timeZone: 'America/Toronto' }, new Date('2027-01-01'), new Date('2028-01-01'));
 * // [2027-03-14T07:00:00.000Z] (03:00 local)
 */
export function dstGapRuns(schedule: PolicySchedule, from: Date, until: Date): Date[] {
  const pattern = new CronPattern(schedule.cron, undefined, { mode: '5-part' });
  if (pattern.hour.filter(Boolean).length !== 1 || pattern.minute.filter(Boolean).length !== 1) return [];
  const cron = scheduleCron(schedule);
  const moved: Date[] = [];
  for (const transition of offsetIncreases(schedule.timeZone, from, until)) {
    const run = cron.nextRun(new Date(Math.max(from.getTime(), transition - 60_000)));
    if (!run || run.getTime() >= until.getTime()) continue;
    const local = localTimeWithOffset(run, schedule.timeZone);
    if (!pattern.hour[Number(local.slice(11, 13))] || !pattern.minute[Number(local.slice(14, 16))]) moved.push(run);
  }
  return moved;
}
