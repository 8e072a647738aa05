import { type InfoIssue, InfoParseError } from './info-parse-error.js';
import { quoteUnsafeIntegers } from './long-integers.js';
import type { Info, InfoDetailLevel, InfoDocument, InfoProgress } from './types.js';
import { validateInfo, validateInfoProgress } from './validate-info.js';

const STANZA_SHAPE = 'an array of stanza objects with name and status';
/** Fields that full `info` prints for every stanza and progress mode leaves out. */
const FULL_ONLY_FIELDS = ['archive', 'backup', 'cipher', 'db'] as const;

function parseJson(text: string): unknown {
  try {
    return JSON.parse(quoteUnsafeIntegers(text));
  } catch (cause) {
    throw new InfoParseError([{ path: '(root)', expected: `valid JSON (${(cause as Error).message})` }], { cause });
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Which detail level printed this JSON, or an error naming what info output looks like when it is none. An empty
 * array is `full` (both modes print `[]` for a repository without stanzas).
 */
function detailLevelOf(json: unknown): InfoDetailLevel {
  if (!Array.isArray(json)) {
    throw new InfoParseError([{ path: '(root)', expected: `${STANZA_SHAPE}, got ${describeValue(json)}` }]);
  }
  let progress = json.length > 0;
  for (const [index, stanza] of json.entries()) {
    if (!isRecord(stanza) || !('name' in stanza) || !('status' in stanza)) {
      throw new InfoParseError([
        { path: `[${index}]`, expected: `a stanza object with name and status, got ${describeValue(stanza)}` },
      ]);
    }
    if (FULL_ONLY_FIELDS.some((field) => field in stanza)) progress = false;
  }
  return progress ? 'progress' : 'full';
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (isRecord(value)) {
    const keys = Object.keys(value);
    return keys.length === 0 ? 'an empty object' : `an object with ${keys.slice(0, 5).join(', ')}`;
  }
  return `a ${typeof value}`;
}

function validated<T>(result: { info: T; issues: InfoIssue[] }): T {
  if (result.issues.length > 0) throw new InfoParseError(result.issues);
  return result.info;
}

/**
 * Parses the stdout of `pgbackrest info --output=json` (2.45 to 2.60) into typed data, validating every field.
 *
 * Integers beyond 2^53 (`db[].system-id`) are kept exactly as branded decimal strings ({@link SystemId}); no JSON reviver
 * runs per value. Fields unknown to this version of the SDK are kept as they are. Field names are pgBackRest's own.
 * Output of `--detail-level=progress` is refused with an error that says so: parse it with {@link parseInfoProgress},
 * or use {@link parseInfoDocument} when either mode can come.
 *
 * @throws {InfoParseError} when the text is not JSON or does not match, naming the JSON path and what was expected.
 * @example
 * const info = parseInfo(stdout);
 * for (const stanza of info) console.log(stanza.name, stanza.status.message, stanza.db[0]?.['system-id']);
 */
export function parseInfo(text: string): Info {
  const json = parseJson(text);
  if (detailLevelOf(json) === 'progress') {
    throw new InfoParseError(
      [{ path: '(root)', expected: `full info output (stanzas with ${FULL_ONLY_FIELDS.join(', ')})` }],
      {
        message:
          'This is the output of `pgbackrest info --detail-level=progress` (stanzas with only name and status): ' +
          'parse it with parseInfoProgress, or with parseInfoDocument when either mode can come.',
        detailLevel: 'progress',
      },
    );
  }
  return validated(validateInfo(json));
}

/**
 * Parses the stdout of `pgbackrest info --output=json --detail-level=progress` (pgBackRest 2.56+): per stanza its name
 * and status with the backup and restore locks, their sizes and per-repository progress. Unknown fields are kept.
 * Full output parses too (it is a superset), with its other fields kept as they are.
 *
 * @throws {InfoParseError} when the text is not JSON or not info output, naming the JSON path and what was expected.
 * @example
 * const progress = parseInfoProgress(stdout);
 * const backup = progress[0]?.status.lock?.backup;
 * if (backup?.held) console.log(`${backup['size-cplt']} of ${backup.size} bytes`);
 */
export function parseInfoProgress(text: string): InfoProgress {
  const json = parseJson(text);
  detailLevelOf(json);
  return validated(validateInfoProgress(json));
}

/**
 * Parses `info --output=json` of either detail level and says which it is: `progress` when every stanza has only the
 * progress-mode fields (no archive, backup, cipher, db), `full` otherwise (also for `[]`, which both modes print for a
 * repository without stanzas).
 *
 * @throws {InfoParseError} when the text is not JSON or not info output, naming the JSON path and what was expected.
 * @example
 * const document = parseInfoDocument(text);
 * if (document.detailLevel === 'progress') console.log(document.info[0]?.status.lock?.backup.held);
 * else console.log(document.info[0]?.backup.length);
 */
export function parseInfoDocument(text: string): InfoDocument {
  const json = parseJson(text);
  return detailLevelOf(json) === 'progress'
    ? { detailLevel: 'progress', info: validated(validateInfoProgress(json)) }
    : { detailLevel: 'full', info: validated(validateInfo(json)) };
}
