import type { z } from 'zod';
import { type InfoIssue, InfoParseError } from './info-parse-error.js';
import { quoteUnsafeIntegers } from './long-integers.js';
import { infoSchema } from './schema.js';
import type { Info } from './types.js';

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : `.${String(key)}`;
  return out === '' ? '(root)' : out;
}

function describeExpected(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? `${issue.expected} (field is missing)` : issue.expected;
    case 'invalid_value':
      return `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    default:
      return issue.message;
  }
}

/**
 * Parses the stdout of `pgbackrest info --output=json` (2.45 to 2.60) into typed data, validating every field.
 *
 * Integers beyond 2^53 (`db[].system-id`) are kept exactly as branded decimal strings ({@link SystemId}); no JSON reviver
 * runs per value. Fields unknown to this version of the SDK are kept as they are. Field names are pgBackRest's own.
 *
 * @throws {InfoParseError} when the text is not JSON or does not match, naming the JSON path and what was expected.
 * @example
 * const info = parseInfo(stdout);
 * for (const stanza of info) console.log(stanza.name, stanza.status.message, stanza.db[0]?.['system-id']);
 */
export function parseInfo(text: string): Info {
  let json: unknown;
  try {
    json = JSON.parse(quoteUnsafeIntegers(text));
  } catch (cause) {
    throw new InfoParseError([{ path: '(root)', expected: `valid JSON (${(cause as Error).message})` }], { cause });
  }
  const result = infoSchema.safeParse(json, { reportInput: true });
  if (!result.success) {
    const issues: InfoIssue[] = result.error.issues.map((issue) => ({
      path: formatPath(issue.path),
      expected: describeExpected(issue),
    }));
    throw new InfoParseError(issues, { cause: result.error });
  }
  return result.data;
}
