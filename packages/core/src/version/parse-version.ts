import { PgBackRestOutputError } from '../errors/pgbackrest-error.js';

/** A pgBackRest version as reported by the binary. */
export interface PgBackRestVersion {
  /** `2.45`, `2.55.1`, `2.60.0dev`, as pgBackRest spells it. */
  readonly version: string;
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  /** True for development builds (`2.60.0dev`). */
  readonly dev: boolean;
}

const TEXT = /^pgBackRest (\d+)\.(\d+)(?:\.(\d+))?(dev)?\s*$/;
const NUM = /^(\d{3,})$/;

/**
 * Parses the output of `pgbackrest version` (`pgBackRest 2.45`) or `pgbackrest version --output=num`
 * (`2059001` from 2.55; major*1000000 + minor*1000 + patch).
 *
 * @example
 * parseVersion('pgBackRest 2.60.0dev\n'); // { version: '2.60.0dev', major: 2, minor: 60, patch: 0, dev: true }
 * parseVersion('2059001\n').version; // '2.59.1'
 */
export function parseVersion(output: string): PgBackRestVersion {
  const text = output.trim();
  const num = NUM.exec(text);
  if (num) {
    const value = Number(num[1]);
    const major = Math.floor(value / 1_000_000);
    const minor = Math.floor((value % 1_000_000) / 1_000);
    const patch = value % 1_000;
    return { version: `${major}.${minor}.${patch}`, major, minor, patch, dev: false };
  }
  const match = TEXT.exec(text);
  if (!match) {
    throw new PgBackRestOutputError(`cannot read a pgBackRest version from '${text.slice(0, 80)}'`, { stdout: output });
  }
  const [, major, minor, patch, dev] = match;
  return {
    version: `${major}.${minor}${patch === undefined ? '' : `.${patch}`}${dev ?? ''}`,
    major: Number(major),
    minor: Number(minor),
    patch: Number(patch ?? 0),
    dev: dev !== undefined,
  };
}
