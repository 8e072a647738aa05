import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseVerifyOutput } from '../../../src/commands/index.js';
import { PgBackRestOutputError } from '../../../src/errors/index.js';

const recorded = (path: string) =>
  readFileSync(new URL(`../../fixtures/recorded-local/${path}`, import.meta.url), 'utf8');

describe('parseVerifyOutput on recorded pgBackRest 2.45 output', () => {
  it('reads an ok verdict with per-archive and per-backup lines', () => {
    const result = parseVerifyOutput(recorded('verify-verbose-2.45.txt'));
    expect(result).toMatchObject({ stanza: 'demo', status: 'ok', ok: true });
    expect(result.archives).toEqual([
      { archiveId: '15-1', totalChecked: 19, totalValid: 19, missing: 0, checksumInvalid: 0, sizeInvalid: 0, other: 0 },
    ]);
    expect(result.backups.map((b) => [b.label, b.status])).toEqual([
      ['20261124-065028F', 'valid'],
      ['20261124-065028F_20261124-065117D', 'valid'],
      ['20261124-065028F_20261124-065132I', 'valid'],
    ]);
  });

  it('reads an error verdict (exit status was 0)', () => {
    const result = parseVerifyOutput(recorded('verify-error-2.45.txt'));
    expect(result).toMatchObject({ stanza: 'demo', status: 'error', ok: false, archives: [] });
    expect(result.backups).toHaveLength(3);
    expect(result.backups[0]).toEqual({
      label: '20261124-065057F',
      status: 'invalid',
      totalChecked: 970,
      totalValid: 969,
      missing: 1,
    });
    const verbose = parseVerifyOutput(recorded('verify-error-verbose-2.45.txt'));
    expect(verbose.backups.filter((b) => b.status === 'invalid')).toHaveLength(3);
    expect(verbose.backups.filter((b) => b.status === 'valid')).toHaveLength(2);
  });

  it('reads the empty output of a clean non-verbose run as ok', () => {
    expect(recorded('verify-ok-2.45.txt')).toBe('');
    expect(parseVerifyOutput(recorded('verify-ok-2.45.txt'))).toMatchObject({
      status: 'ok',
      ok: true,
      stanza: undefined,
    });
  });

  it('refuses output it does not understand rather than calling it ok', () => {
    expect(() => parseVerifyOutput('stanza: demo\nstatus: maybe\n')).toThrow(PgBackRestOutputError);
    expect(() => parseVerifyOutput('stanza: demo\n')).toThrow(PgBackRestOutputError);
    expect(() => parseVerifyOutput('stanza: demo\nstatus: ok\n  backup: x, status: valid\n')).toThrow(
      PgBackRestOutputError,
    );
  });
});
