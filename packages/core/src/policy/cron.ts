import { CronPattern } from 'croner';

const DAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
const UNPORTABLE = /[#?]|\bL\b|\d+L\b|\bLW\b|\d+W\b/i;

/**
 * Why a five-field cron expression cannot be used (crontab, systemd and Kubernetes must all read it), or undefined.
 *
 * @example
 * cronProblem('0 2 * * 0'); // undefined
 * cronProblem('0 2 L * *'); // 'uses L, W, # or ?, which crontab and systemd cannot express'
 */
export function cronProblem(expression: string): string | undefined {
  if (UNPORTABLE.test(expression)) return 'uses L, W, # or ?, which crontab and systemd cannot express';
  try {
    new CronPattern(expression, undefined, { mode: '5-part' });
    return undefined;
  } catch (error) {
    return (error as Error).message.replace(/^CronPattern: /, '');
  }
}

function selected(flags: readonly number[], offset = 0): number[] {
  const values: number[] = [];
  flags.forEach((flag, index) => {
    if (flag) values.push(index + offset);
  });
  return values;
}

function ranges(values: readonly number[], render: (value: number) => string): string {
  const parts: string[] = [];
  let start = 0;
  while (start < values.length) {
    let end = start;
    while (end + 1 < values.length && values[end + 1] === (values[end] ?? 0) + 1) end++;
    const first = values[start] ?? 0;
    const last = values[end] ?? 0;
    if (end - start >= 2) parts.push(`${render(first)}..${render(last)}`);
    else for (let i = start; i <= end; i++) parts.push(render(values[i] ?? 0));
    start = end + 1;
  }
  return parts.join(',');
}

const two = (value: number) => String(value).padStart(2, '0');

function field(values: number[], size: number, render: (value: number) => string): string {
  return values.length === size ? '*' : ranges(values, render);
}

/**
 * Translates a five-field cron expression into systemd `OnCalendar=` expressions in the given IANA time zone.
 * Two expressions come back when both day-of-month and day-of-week are restricted (cron fires when either
 * matches; systemd needs one expression per alternative).
 *
 * @example
 * cronToOnCalendar('0 2 * * 1-6', 'America/Toronto'); // ['Mon..Sat *-*-* 02:00:00 America/Toronto']
 */
export function cronToOnCalendar(expression: string, timeZone: string): string[] {
  const problem = cronProblem(expression);
  if (problem) throw new RangeError(`cron expression "${expression}" ${problem}`);
  const pattern = new CronPattern(expression, undefined, { mode: '5-part' });
  const minutes = field(selected(pattern.minute), 60, two);
  const hours = field(selected(pattern.hour), 24, two);
  const days = selected(pattern.day, 1);
  const months = field(selected(pattern.month, 1), 12, two);
  const weekdays = selected(pattern.dayOfWeek).filter((day) => day < 7);
  const time = `${hours}:${minutes}:00`;
  const dayField = field(days, 31, two);
  const weekdayField = weekdays.length === 7 ? '' : `${ranges(weekdays, (day) => DAY_NAMES[day] ?? '')} `;
  if (!pattern.starDOM && !pattern.starDOW) {
    return [`${weekdayField}*-${months}-* ${time} ${timeZone}`, `*-${months}-${dayField} ${time} ${timeZone}`];
  }
  const weekdayPart = pattern.starDOW ? '' : weekdayField;
  const dayPart = pattern.starDOM ? '*' : dayField;
  return [`${weekdayPart}*-${months}-${dayPart} ${time} ${timeZone}`];
}
