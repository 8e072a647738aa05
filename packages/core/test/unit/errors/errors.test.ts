import { readFileSync } from 'node:fs';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import {
  errorFromExit,
  isPgBackRestError,
  PgBackRestArchiveTimeoutError,
  PgBackRestCryptoError,
  PgBackRestError,
  PgBackRestExitError,
  PgBackRestFileMissingError,
  PgBackRestLockAcquireError,
  PgBackRestOptionInvalidError,
  PgBackRestOptionInvalidValueError,
  PgBackRestOptionRequiredError,
  PgBackRestTimeoutError,
  parseErrorReport,
} from '../../../src/errors/index.js';

const recorded = (name: string) => {
  const base = new URL(`../../fixtures/recorded-local/${name}-2.45`, import.meta.url);
  return {
    stdout: readFileSync(`${base.pathname}.stdout`, 'utf8'),
    stderr: readFileSync(`${base.pathname}.stderr`, 'utf8'),
    exitCode: Number(readFileSync(`${base.pathname}.exit`, 'utf8')),
  };
};

describe('errorFromExit on recorded pgBackRest 2.45 failures', () => {
  it('maps a missing info file (55) with its hints', () => {
    const error = errorFromExit({ ...recorded('error-055-file-missing'), command: 'pgbackrest backup' });
    expect(error).toBeInstanceOf(PgBackRestFileMissingError);
    expect(error).toBeInstanceOf(PgBackRestExitError);
    expect(error.exitCode).toBe(55);
    expect(error.errorCode).toBe(55);
    expect(error.hint).toBe('backup.info cannot be opened and is required to perform a backup.');
    expect(error.hints).toEqual([
      'backup.info cannot be opened and is required to perform a backup.',
      'has a stanza-create been performed?',
    ]);
    expect(error.reason).toMatch(
      /^unable to load info file .*backup\.info.*\nFileMissingError: unable to open missing file/,
    );
    expect(error.command).toBe('pgbackrest backup');
    expect(error.name).toBe('PgBackRestFileMissingError');
  });

  it('reads the console format when stderr is silenced', () => {
    const run = recorded('error-055-console-format');
    expect(run.stderr).toBe('');
    const error = errorFromExit(run);
    expect(error).toBeInstanceOf(PgBackRestFileMissingError);
    expect(error.hints).toHaveLength(2);
  });

  it('maps option errors', () => {
    expect(errorFromExit(recorded('error-031-secure-on-command-line'))).toBeInstanceOf(PgBackRestOptionInvalidError);
    expect(errorFromExit(recorded('error-031-secure-on-command-line')).hint).toBe(
      'this option could expose secrets in the process list.',
    );
    expect(errorFromExit(recorded('error-031-unknown-option')).reason).toBe("invalid option '--no-such-option'");
    expect(errorFromExit(recorded('error-032-invalid-value'))).toBeInstanceOf(PgBackRestOptionInvalidValueError);
    expect(errorFromExit(recorded('error-037-option-required'))).toBeInstanceOf(PgBackRestOptionRequiredError);
  });
});

describe('errorFromExit by exit status', () => {
  it('selects the class from the exit status when stderr has no ERROR line', () => {
    expect(errorFromExit({ exitCode: 50, stderr: '' })).toBeInstanceOf(PgBackRestLockAcquireError);
    expect(errorFromExit({ exitCode: 82, stderr: 'garbled' })).toBeInstanceOf(PgBackRestArchiveTimeoutError);
    expect(errorFromExit({ exitCode: 95, stderr: '' })).toBeInstanceOf(PgBackRestCryptoError);
    expect(errorFromExit({ exitCode: 95, stderr: '' }).message).toContain('exited with status 95');
  });

  it('falls back to the base class for unknown statuses', () => {
    const error = errorFromExit({ exitCode: 3, stderr: 'something broke\n' });
    expect(error.constructor).toBe(PgBackRestExitError);
    expect(error.message).toContain('something broke');
    expect(error.hint).toBeUndefined();
  });
});

describe('parseErrorReport', () => {
  it('returns undefined without an ERROR line', () => {
    expect(parseErrorReport('WARN: something\n      HINT: x')).toBeUndefined();
  });
});

describe('isPgBackRestError', () => {
  it('recognises SDK errors across realms by their brand', () => {
    const local = new PgBackRestTimeoutError(10);
    expect(isPgBackRestError(local)).toBe(true);
    expect(local).toBeInstanceOf(PgBackRestError);
    const foreign = runInNewContext(
      "const e = new Error('x'); e[Symbol.for('@chronos/pgbackrest/error')] = true; e",
    ) as unknown;
    expect(foreign instanceof PgBackRestError).toBe(false);
    expect(isPgBackRestError(foreign)).toBe(true);
    expect(isPgBackRestError(new Error('x'))).toBe(false);
    expect(isPgBackRestError(null)).toBe(false);
    expect(isPgBackRestError('ERROR')).toBe(false);
  });
});
