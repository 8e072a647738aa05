import { describe, expect, it } from 'vitest';
import {
  AmbiguousLocalTimeError,
  formatTargetTime,
  NonexistentLocalTimeError,
  parseTargetTime,
  RestoreTargetError,
} from '../../../src/pitr/index.js';

describe('parseTargetTime: a local time with an IANA zone', () => {
  it('reads the deployment form in winter (EST, -05:00) and summer (EDT, -04:00)', () => {
    expect(parseTargetTime('2026-02-01 12:00:00 America/Toronto').toISOString()).toBe('2026-02-01T17:00:00.000Z');
    expect(parseTargetTime('2026-07-01 12:00:00 America/Toronto').toISOString()).toBe('2026-07-01T16:00:00.000Z');
    expect(parseTargetTime('2026-07-01T12:00 America/Toronto').toISOString()).toBe('2026-07-01T16:00:00.000Z');
  });

  it('keeps milliseconds and reads zones east of UTC and with half-hour offsets', () => {
    expect(parseTargetTime('2026-02-01 12:00:00.250 Europe/Berlin').toISOString()).toBe('2026-02-01T11:00:00.250Z');
    expect(parseTargetTime('2026-02-01 12:00:00 Asia/Kolkata').toISOString()).toBe('2026-02-01T06:30:00.000Z');
    expect(parseTargetTime('2026-02-01 12:00:00 UTC').toISOString()).toBe('2026-02-01T12:00:00.000Z');
  });

  it('refuses a local time in the spring-forward gap: it never happened', () => {
    const attempt = () => parseTargetTime('2026-03-08 02:30:00 America/Toronto');
    expect(attempt).toThrow(NonexistentLocalTimeError);
    expect(attempt).toThrow(RestoreTargetError);
    expect(attempt).toThrow(/daylight-saving gap of America\/Toronto/);
    expect(parseTargetTime('2026-03-08 03:00:00 America/Toronto').toISOString()).toBe('2026-03-08T07:00:00.000Z');
    expect(parseTargetTime('2026-03-08 01:59:59 America/Toronto').toISOString()).toBe('2026-03-08T06:59:59.000Z');
  });

  it('refuses a local time in the fall-back overlap and names both offsets to choose from', () => {
    let error: unknown;
    try {
      parseTargetTime('2026-11-01 01:30:00 America/Toronto');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(AmbiguousLocalTimeError);
    const choices = (error as AmbiguousLocalTimeError).choices;
    expect(choices).toEqual(['2026-11-01 01:30:00-04:00', '2026-11-01 01:30:00-05:00']);
    expect(choices.map((c) => parseTargetTime(c).toISOString())).toEqual([
      '2026-11-01T05:30:00.000Z',
      '2026-11-01T06:30:00.000Z',
    ]);
    expect(parseTargetTime('2026-11-01 02:00:00 America/Toronto').toISOString()).toBe('2026-11-01T07:00:00.000Z');
  });

  it('refuses an unknown zone, an impossible date, and a time with neither zone nor offset', () => {
    expect(() => parseTargetTime('2026-02-01 12:00:00 America/Atlantis')).toThrow(
      /unknown time zone 'America\/Atlantis'/,
    );
    expect(() => parseTargetTime('2026-02-30 12:00:00 America/Toronto')).toThrow(/not a valid date/);
    expect(() => parseTargetTime('2026-02-01 12:00:00')).toThrow(RestoreTargetError);
    expect(() => parseTargetTime('2026-02-01 12:00:00')).toThrow(/explicit UTC offset or IANA time zone/);
  });

  it('reaches pgBackRest as UTC with an explicit offset', () => {
    expect(formatTargetTime(parseTargetTime('2026-02-01 12:00:00 America/Toronto'))).toBe('2026-02-01 17:00:00+00');
  });
});
