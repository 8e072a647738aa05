import { describe, expect, it } from 'vitest';
import { judgeClockSkew, judgeScheduleZone, parseZoneProbe, zonesAgree } from '../../../src/doctor/clock.js';

const at = (remoteMs: number, sentMs: number, receivedMs: number) => ({ remoteMs, sentMs, receivedMs });
const base = { id: 'clock.repo2', endpoint: '127.0.0.1:9000', where: 'container chronos-db' };
const T = Date.UTC(2026, 11, 2, 5, 0, 0);

describe('judgeClockSkew', () => {
  it('counts a difference within the readings’ resolution as none', () => {
    const check = judgeClockSkew({ ...base, host: at(T, T - 100, T + 100), s3: at(T + 1000, T - 20, T + 20) });
    expect(check.status).toBe('ok');
    expect(check.detail).toMatch(/^within \d+ s/);
  });

  it('warns from 30 s and fails from 5 min, naming the direction and the fix', () => {
    const behind = judgeClockSkew({ ...base, host: at(T - 45_000, T, T + 200), s3: at(T, T, T + 50) });
    expect(behind.status).toBe('warn');
    expect(behind.detail).toContain('container chronos-db is 45 s behind');
    expect(behind.fix).toContain('RequestTimeTooSkewed');
    const ahead = judgeClockSkew({ ...base, host: at(T + 10 * 60_000, T, T + 200), s3: at(T, T, T + 50) });
    expect(ahead.status).toBe('fail');
    expect(ahead.detail).toContain('600 s ahead of');
  });

  it('takes each remote reading at the middle of its round trip', () => {
    // The host answered 20 s late (a slow docker exec): its reading belongs 10 s after the request.
    const check = judgeClockSkew({ ...base, host: at(T + 10_000, T, T + 20_000), s3: at(T, T, T) });
    expect(check.status).toBe('ok');
  });
});

describe('parseZoneProbe', () => {
  it('reads /etc/localtime’s target, then /etc/timezone, then the C library’s UTC', () => {
    expect(parseZoneProbe('TZ=\nlocaltime=/usr/share/zoneinfo/America/Toronto\ntimezone=Etc/UTC\n')).toBe(
      'America/Toronto',
    );
    expect(parseZoneProbe('TZ=\nlocaltime=/usr/share/zoneinfo/posix/Europe/Paris\ntimezone=\n')).toBe('Europe/Paris');
    expect(parseZoneProbe('TZ=\nlocaltime=\ntimezone=Asia/Tokyo\n')).toBe('Asia/Tokyo');
    expect(parseZoneProbe('TZ=\nlocaltime=\ntimezone=\n')).toBe('UTC');
  });

  it('counts TZ only when asked (cron reads the system zone, not a shell’s)', () => {
    const output = 'TZ=:Europe/Berlin\nlocaltime=/usr/share/zoneinfo/Etc/UTC\ntimezone=Etc/UTC\n';
    expect(parseZoneProbe(output)).toBe('Etc/UTC');
    expect(parseZoneProbe(output, true)).toBe('Europe/Berlin');
  });
});

describe('zonesAgree', () => {
  it('compares the local time through a whole year, not names', () => {
    expect(zonesAgree('UTC', 'Etc/UTC', 2026)).toBe(true);
    expect(zonesAgree('America/Toronto', 'America/New_York', 2026)).toBe(true);
    expect(zonesAgree('America/Toronto', 'Etc/GMT+5', 2026)).toBe(false);
    expect(zonesAgree('Not/AZone', 'UTC', 2026)).toBe(false);
  });
});

describe('judgeScheduleZone', () => {
  const schedules = [
    { kind: 'full', cron: '0 2 * * 0', timeZone: 'America/New_York' },
    { kind: 'diff', cron: '0 2 * * 1-6', timeZone: 'America/New_York' },
  ];

  it('warns when the cron host runs in another zone: 02:00 Eastern is 07:00 UTC in winter, 06:00 in summer', () => {
    const check = judgeScheduleZone({ schedules, hostZone: 'Etc/UTC', where: 'this host', year: 2026 });
    expect(check.status).toBe('warn');
    expect(check.detail).toContain(
      "full '0 2 * * 0' is read in America/New_York: 02:00 there is 07:00 Etc/UTC in January but 06:00 in July",
    );
    expect(check.fix).toContain('CRON_TZ');
    expect(check.fix).toContain('timedatectl set-timezone America/New_York');
  });

  it('is ok when the zones agree all year', () => {
    const check = judgeScheduleZone({ schedules, hostZone: 'US/Eastern', where: 'this host', year: 2026 });
    expect(check).toMatchObject({
      status: 'ok',
      detail: 'schedules in America/New_York; this host runs in US/Eastern',
    });
  });

  it('names a zone with one offset all year only once', () => {
    const check = judgeScheduleZone({
      schedules: [{ kind: 'full', cron: '30 1 * * *', timeZone: 'Asia/Tokyo' }],
      hostZone: 'UTC',
      where: 'this host',
      year: 2026,
    });
    expect(check.detail).toContain('01:30 there is 16:30 UTC in January');
    expect(check.detail).not.toContain('July');
  });
});
