import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runProcess } from '../../src/exec/process.js';
import { compilePolicy, nextRuns, parsePolicy, type RunKind } from '../../src/policy/index.js';
import { type Availability, integrationGate } from '../../src/testing/index.js';

async function probeSystemdAnalyze(): Promise<Availability> {
  const result = await runProcess({ file: 'systemd-analyze', args: ['--version'], timeout: 15_000 });
  return result.exitCode === 0
    ? { available: true, reason: '' }
    : { available: false, reason: 'no systemd-analyze (apt-get install -y systemd)' };
}

const skip = await integrationGate(await probeSystemdAnalyze());
const policy = parsePolicy(
  readFileSync(fileURLToPath(new URL('../../../../examples/chronos-policy.json', import.meta.url)), 'utf8'),
);

/** Next elapses systemd computes for the OnCalendar= lines of a timer, as UTC ISO strings, merged. */
async function systemdElapses(timer: string, iterations: number, from: Date): Promise<string[]> {
  const specs = timer
    .split('\n')
    .filter((line) => line.startsWith('OnCalendar='))
    .map((line) => line.slice('OnCalendar='.length));
  const result = await runProcess({
    file: 'systemd-analyze',
    args: ['calendar', `--iterations=${iterations}`, `--base-time=@${Math.floor(from.getTime() / 1000)}`, ...specs],
    env: { TZ: 'UTC' },
    timeout: 30_000,
  });
  expect(result.stderr).toBe('');
  const times = [
    ...result.stdout.matchAll(/(?:Next elapse|Iter\. #\d+): \w{3} (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC/g),
  ].map((match) => `${match[1]?.replace(' ', 'T')}.000Z`);
  return [...new Set(times)].sort().slice(0, iterations);
}

describe.skipIf(skip)(skip ?? 'systemd reads the compiled timers as nextRuns does', () => {
  const from = new Date('2026-11-24T12:00:00Z');
  const compiled = compilePolicy(policy, { from });

  for (const kind of ['full', 'diff', 'restore-drill'] as RunKind[]) {
    it(`${kind}: the timer's next elapses equal nextRuns, across daylight-saving changes`, async () => {
      const timer = compiled.schedules.systemd.find((unit) => unit.name === `pgbackrest-chronos-${kind}.timer`);
      const expected = nextRuns(policy, { from, count: 60, kinds: [kind] }).map((run) => run.utc);
      expect(await systemdElapses(timer?.content ?? '', 60, from)).toEqual(expected);
    });
  }

  it('the spring-forward Sunday is covered: the 2027-03-14 full backup runs at 03:00 Toronto time', async () => {
    const timer = compiled.schedules.systemd.find((unit) => unit.name === 'pgbackrest-chronos-full.timer');
    const elapses = await systemdElapses(timer?.content ?? '', 20, from);
    expect(elapses).toContain('2027-03-14T07:00:00.000Z');
  });
});
