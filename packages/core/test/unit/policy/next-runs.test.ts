import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cronToOnCalendar, localTimeWithOffset, nextRuns, parsePolicy } from '../../../src/policy/index.js';

const policy = parsePolicy(
  readFileSync(fileURLToPath(new URL('../../../../../examples/chronos-policy.json', import.meta.url)), 'utf8'),
);

describe('nextRuns of the reference policy', () => {
  it('fires at 02:00 Toronto time in January (UTC-5)', () => {
    const runs = nextRuns(policy, { from: new Date('2027-01-01T12:00:00Z'), count: 3, kinds: ['full', 'diff'] });
    expect(runs.map((run) => [run.kind, run.utc, run.local])).toEqual([
      ['diff', '2027-01-02T07:00:00.000Z', '2027-01-02T02:00:00-05:00'],
      ['full', '2027-01-03T07:00:00.000Z', '2027-01-03T02:00:00-05:00'],
      ['diff', '2027-01-04T07:00:00.000Z', '2027-01-04T02:00:00-05:00'],
    ]);
  });

  it('fires at 02:00 Toronto time in July (UTC-4), where 0 7 * * * UTC would drift to 03:00', () => {
    const runs = nextRuns(policy, { from: new Date('2027-07-03T12:00:00Z'), count: 2, kinds: ['full', 'diff'] });
    expect(runs.map((run) => [run.kind, run.utc, run.local])).toEqual([
      ['full', '2027-07-04T06:00:00.000Z', '2027-07-04T02:00:00-04:00'],
      ['diff', '2027-07-05T06:00:00.000Z', '2027-07-05T02:00:00-04:00'],
    ]);
    expect(localTimeWithOffset(new Date('2027-07-04T07:00:00Z'), 'America/Toronto')).toBe('2027-07-04T03:00:00-04:00');
  });

  it('runs a full on Sundays and a differential on the other six days, every week of the year', () => {
    const runs = nextRuns(policy, { from: new Date('2027-01-01T00:00:00Z'), count: 365, kinds: ['full', 'diff'] });
    for (const run of runs) {
      // 02:00 does not exist on the spring-forward day: the run happens at the first valid time after the gap.
      const springForward = run.local.startsWith('2027-03-14');
      expect(run.local.slice(11, 19)).toBe(springForward ? '03:00:00' : '02:00:00');
      const weekday = new Date(`${run.local.slice(0, 10)}T12:00:00Z`).getUTCDay();
      expect(run.kind).toBe(weekday === 0 ? 'full' : 'diff');
    }
    expect(new Set(runs.map((run) => run.local.slice(0, 10))).size).toBe(365);
    expect(runs.find((run) => run.local.startsWith('2027-03-14'))?.local).toBe('2027-03-14T03:00:00-04:00');
  });

  it('includes restore drills as their own run kind', () => {
    const runs = nextRuns(policy, { from: new Date('2027-03-01T00:00:00Z'), count: 40 });
    const drills = runs.filter((run) => run.kind === 'restore-drill');
    expect(drills.map((run) => run.local)).toEqual(['2027-03-01T06:00:00-05:00', '2027-04-01T06:00:00-04:00']);
    expect(runs.map((run) => run.at.getTime())).toEqual([...runs.map((run) => run.at.getTime())].sort((a, b) => a - b));
  });
});

describe('cronToOnCalendar', () => {
  it('keeps the time zone and names weekdays', () => {
    expect(cronToOnCalendar('0 2 * * 0', 'America/Toronto')).toEqual(['Sun *-*-* 02:00:00 America/Toronto']);
    expect(cronToOnCalendar('0 2 * * 1-6', 'America/Toronto')).toEqual(['Mon..Sat *-*-* 02:00:00 America/Toronto']);
    expect(cronToOnCalendar('*/15 1,13 * 1-3 *', 'UTC')).toEqual(['*-01..03-* 01,13:00,15,30,45:00 UTC']);
  });

  it('splits a cron that restricts both day of month and weekday (cron fires on either)', () => {
    expect(cronToOnCalendar('30 4 1,15 * 5', 'Europe/Paris')).toEqual([
      'Fri *-*-* 04:30:00 Europe/Paris',
      '*-*-01,15 04:30:00 Europe/Paris',
    ]);
  });

  it('refuses cron extensions systemd cannot express', () => {
    expect(() => cronToOnCalendar('0 2 L * *', 'UTC')).toThrowError(/L, W, # or \?/);
  });
});
