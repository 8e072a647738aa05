import { compareVersions } from '../../catalogue/index.js';

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

/** pgBackRest's strict integer conversion: optional sign, digits only, within 64 bits. */
export function parseStrictInteger(value: string): bigint | undefined {
  if (!/^[+-]?\d+$/.test(value)) return undefined;
  const result = BigInt(value);
  return result > INT64_MAX || result < INT64_MIN ? undefined : result;
}

const SIZE_QUALIFIER: Readonly<Record<string, bigint>> = {
  b: 1n,
  k: 1024n,
  m: 1024n ** 2n,
  g: 1024n ** 3n,
  t: 1024n ** 4n,
  p: 1024n ** 5n,
};

/**
 * pgBackRest's size syntax, the one grammar of sizes in this library (`pgbackrest.conf`, command options, the
 * policy): digits, then optionally one unit `b`, `k`/`kb`/`kib`, `m`/`mb`/`mib`, `g`/`gb`/`gib`, `t`/`tb`/`tib` or
 * `p`/`pb`/`pib` in any letter case. Every unit is a power of 1024 (`1GB` is `1GiB`). No sign, decimal point or
 * space; pgBackRest also reads a doubled `bb` as bytes. The value must also fit in 64 bits, which {@link parseSize}
 * checks and a pattern cannot.
 *
 * @example
 * SIZE_PATTERN.test('128KB'); // true
 * SIZE_PATTERN.test('1.5MiB'); // false
 */
export const SIZE_PATTERN = /^[0-9]+(?:[KkMmGgTtPp](?:[Ii]?[Bb])?|[Bb]{1,2})?$/;

/**
 * A size as pgBackRest reads it (`512KiB`, `4mb`, `1GB`, `16384`), in bytes; undefined where pgBackRest refuses it
 * (see {@link SIZE_PATTERN}).
 *
 * @example
 * parseSize('4MiB'); // 4194304n
 * parseSize('1GB'); // 1073741824n
 * parseSize('1.5MiB'); // undefined
 */
export function parseSize(value: string): bigint | undefined {
  if (!SIZE_PATTERN.test(value)) return undefined;
  const digits = /^[0-9]+/.exec(value)?.[0] ?? '';
  const unit = value.charAt(digits.length).toLowerCase() || 'b';
  const multiplier = SIZE_QUALIFIER[unit];
  const number = parseStrictInteger(digits);
  if (multiplier === undefined || number === undefined || number > INT64_MAX / multiplier) return undefined;
  return number * multiplier;
}

const TIME_QUALIFIER: Readonly<Record<string, bigint>> = {
  s: 1000n,
  m: 60_000n,
  h: 3_600_000n,
  d: 86_400_000n,
  w: 604_800_000n,
};

/** Releases from 2.53 read times as whole numbers with an optional unit; older ones as decimal seconds. */
export function timeUnitsAllowed(version: string): boolean {
  return compareVersions(version, '2.53') >= 0;
}

const LEADING_DECIMAL = /^\s*([+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf(?:inity)?|nan))/i;

/**
 * A time as the given pgBackRest release reads it, in milliseconds; undefined where that release refuses it.
 * Before 2.53 a value is decimal seconds and anything after the leading number is ignored (`300 ; seconds` is 300 s);
 * from 2.53 a whole number with an optional unit (`ms`, `s`, `m`, `h`, `d`, `w`).
 *
 * @example
 * parseTime('1.5', '2.45'); // 1500n
 * parseTime('5m', '2.55.1'); // 300000n
 */
export function parseTime(value: string, version: string): bigint | undefined {
  if (!timeUnitsAllowed(version)) {
    const match = LEADING_DECIMAL.exec(value);
    const seconds = match ? Number(match[1]) : 0;
    if (seconds === 0 && value !== '0') return undefined;
    if (!Number.isFinite(seconds)) return INT64_MIN;
    return BigInt(Math.trunc(seconds * 1000));
  }
  let qualifierSize = 0;
  let multiplier = 1000n;
  const lower = value.toLowerCase();
  if (lower.length > 1 && lower.endsWith('ms')) {
    qualifierSize = 2;
    multiplier = 1n;
  } else if (lower.length > 0 && TIME_QUALIFIER[lower[lower.length - 1]!] !== undefined) {
    qualifierSize = 1;
    multiplier = TIME_QUALIFIER[lower[lower.length - 1]!]!;
  }
  if (value.length - qualifierSize <= 0) return undefined;
  const number = parseStrictInteger(value.slice(0, value.length - qualifierSize));
  if (number === undefined || number > INT64_MAX / multiplier) return undefined;
  return number * multiplier;
}

/** A range bound from pgBackRest's definitions as milliseconds (`0.1`, `604800`, `100ms`, `7d`). */
export function parseTimeBound(bound: string): bigint | undefined {
  if (/^\d+(?:\.\d+)?$/.test(bound)) return BigInt(Math.round(Number(bound) * 1000));
  return parseTime(bound, '2.53');
}

/** A time in milliseconds as people read it (`1500ms` → `1.5s`). */
export function formatMilliseconds(ms: bigint): string {
  return ms % 1000n === 0n ? `${ms / 1000n}s` : `${Number(ms) / 1000}s`;
}
