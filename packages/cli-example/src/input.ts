import { readFile } from 'node:fs/promises';
import { UsageError } from './errors.js';

/**
 * Reads a text file named on the command line; a missing or unreadable file is a usage error naming the path.
 *
 * @example
 * ```ts
 * const text = await readInputFile('info.json', '--from-file');
 * ```
 */
export async function readInputFile(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (cause) {
    const reason = (cause as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (cause as Error).message;
    throw new UsageError(`cannot read ${what} ${path}: ${reason}`, { cause });
  }
}

/**
 * Parses an ISO-8601 instant given on the command line; it must carry `Z` or an offset.
 *
 * @example
 * ```ts
 * parseInstant('2027-01-04T00:00:00Z', '--from'); // Date
 * ```
 */
export function parseInstant(value: string, flag: string): Date {
  if (!/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)$/i.test(value)) {
    throw new UsageError(
      `${flag} must be an ISO-8601 instant with Z or an offset (e.g. 2026-11-24T02:00:00Z), got "${value}"`,
    );
  }
  const date = new Date(value.replace(' ', 'T'));
  if (Number.isNaN(date.getTime())) throw new UsageError(`${flag} is not a valid instant: "${value}"`);
  return date;
}

/**
 * Parses a positive integer flag value.
 *
 * @example
 * ```ts
 * parseCount('7', '--count'); // 7
 * ```
 */
export function parseCount(value: string, flag: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1)
    throw new UsageError(`${flag} must be a positive integer, got "${value}"`);
  return Number(value);
}
