import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scheduleRuns } from '../../../src/policy/index.js';
import { dstGapRuns } from '../../../src/policy/next-runs.js';

const ZONES = [
  'America/Toronto',
  'Europe/Paris',
  'Australia/Sydney',
  'America/St_Johns',
  'Pacific/Chatham',
  'Asia/Kolkata',
  'Europe/London',
  'UTC',
];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

const formatters = new Map(
  ZONES.map((timeZone) => [
    timeZone,
    new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      hour: '2-digit',
      minute: '2-digit',
      weekday: 'short',
    }),
  ]),
);

function localParts(instant: Date, timeZone: string): { hour: number; minute: number; weekday: number } {
  const parts = formatters.get(timeZone)!.formatToParts(instant);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return { hour: Number(get('hour')), minute: Number(get('minute')), weekday: DAYS.indexOf(get('weekday')) };
}

describe('scheduled runs in any time zone (property)', () => {
  it('fire at the cron wall-clock time and weekday, except runs a DST gap moved', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 23 }),
        fc.constantFrom(0, 15, 30, 45),
        fc.uniqueArray(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 7 }),
        fc.constantFrom(...ZONES),
        fc.date({ min: new Date('2026-01-01T00:00:00Z'), max: new Date('2035-12-31T00:00:00Z'), noInvalidDate: true }),
        (hour, minute, weekdays, timeZone, from) => {
          const schedule = { cron: `${minute} ${hour} * * ${[...weekdays].sort().join(',')}`, timeZone };
          const runs = scheduleRuns(schedule, from, 30);
          const until = new Date((runs.at(-1) ?? from).getTime() + 1);
          const moved = new Set(dstGapRuns(schedule, from, until).map((run) => run.getTime()));
          let previous = from.getTime();
          for (const run of runs) {
            expect(run.getTime()).toBeGreaterThan(previous);
            previous = run.getTime();
            if (moved.has(run.getTime())) continue;
            const local = localParts(run, timeZone);
            expect(local).toEqual({ hour, minute, weekday: local.weekday });
            expect(weekdays).toContain(local.weekday);
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});
