import type { InfoIssue } from './info-parse-error.js';
import type { Info, InfoProgress } from './types.js';
import { REPO_STATUS_CODES, STANZA_STATUS_CODES } from './values.js';

/**
 * The info validator: the shape of schema.ts (which gives the types) checked by hand, so that parsing info loads no
 * schema library. Objects are kept as they are (unknown fields included); only `system-id` becomes its decimal text.
 */
type Path = readonly (string | number)[];
type Check = (value: unknown, path: Path, issues: InfoIssue[]) => unknown;

function formatPath(path: Path): string {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : `.${key}`;
  return out === '' ? '(root)' : out;
}

function typeIssue(issues: InfoIssue[], path: Path, expected: string, value: unknown): void {
  issues.push({ path: formatPath(path), expected: value === undefined ? `${expected} (field is missing)` : expected });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const string: Check = (value, path, issues) => {
  if (typeof value !== 'string') typeIssue(issues, path, 'string', value);
  return value;
};

const boolean: Check = (value, path, issues) => {
  if (typeof value !== 'boolean') typeIssue(issues, path, 'boolean', value);
  return value;
};

const size: Check = (value, path, issues) => {
  if (typeof value !== 'number' || Number.isNaN(value)) typeIssue(issues, path, 'number', value);
  else if (value < 0) issues.push({ path: formatPath(path), expected: 'a number >= 0' });
  return value;
};

const count: Check = (value, path, issues) => {
  if (typeof value !== 'number' || Number.isNaN(value)) typeIssue(issues, path, 'number', value);
  else if (!Number.isSafeInteger(value)) issues.push({ path: formatPath(path), expected: 'int' });
  else if (value < 0) issues.push({ path: formatPath(path), expected: 'a number >= 0' });
  return value;
};

function pattern(regex: RegExp, description: string): Check {
  return (value, path, issues) => {
    if (typeof value !== 'string') typeIssue(issues, path, 'string', value);
    else if (!regex.test(value)) issues.push({ path: formatPath(path), expected: description });
    return value;
  };
}

function oneOf(values: readonly (string | number)[]): Check {
  return (value, path, issues) => {
    if (!values.includes(value as string | number)) {
      issues.push({ path: formatPath(path), expected: `one of ${values.map((v) => JSON.stringify(v)).join(', ')}` });
    }
    return value;
  };
}

function optional(check: Check): Check {
  return (value, path, issues) => (value === undefined ? value : check(value, path, issues));
}

function nullable(check: Check): Check {
  return (value, path, issues) => (value === null ? value : check(value, path, issues));
}

function array(item: Check): Check {
  return (value, path, issues) => {
    if (!Array.isArray(value)) {
      typeIssue(issues, path, 'array', value);
      return value;
    }
    for (let i = 0; i < value.length; i++) value[i] = item(value[i], [...path, i], issues);
    return value;
  };
}

/** An object with these fields; fields it does not name are kept. */
function object(fields: Readonly<Record<string, Check>>): Check {
  const entries = Object.entries(fields);
  return (value, path, issues) => {
    if (!isRecord(value)) {
      typeIssue(issues, path, 'object', value);
      return value;
    }
    for (const [key, check] of entries) {
      const before = value[key];
      const after = check(before, [...path, key], issues);
      if (after !== before) value[key] = after;
    }
    return value;
  };
}

function record(item: Check): Check {
  return (value, path, issues) => {
    if (!isRecord(value)) {
      typeIssue(issues, path, 'record', value);
      return value;
    }
    for (const key of Object.keys(value)) item(value[key], [...path, key], issues);
    return value;
  };
}

const walSegment = pattern(/^[0-9A-F]{24}$/, 'a 24-hex-digit WAL segment name');

const systemId: Check = (value, path, issues) => {
  if (typeof value === 'string') {
    if (/^\d{1,20}$/.test(value)) return value;
    issues.push({ path: formatPath(path), expected: 'a decimal system id' });
    return value;
  }
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  typeIssue(issues, path, 'a decimal system id (string or non-negative integer)', value);
  return value;
};

const databaseRef = object({ id: count, 'repo-key': optional(count) });

const lockProgress = { held: boolean, size: optional(size), 'size-cplt': optional(size) };

const backupLock = object({
  ...lockProgress,
  repo: optional(array(object({ key: count, ...lockProgress, held: optional(boolean) }))),
});

const stanzaStatus = object({
  code: oneOf(STANZA_STATUS_CODES),
  message: string,
  lock: optional(object({ backup: backupLock, restore: optional(object(lockProgress)) })),
});

const repo = object({
  cipher: string,
  key: count,
  status: object({ code: oneOf(REPO_STATUS_CODES), message: string }),
});

const db = object({ id: count, 'repo-key': optional(count), 'system-id': systemId, version: string });

const archive = object({ database: databaseRef, id: string, max: nullable(walSegment), min: nullable(walSegment) });

const backup = object({
  annotation: optional(record(string)),
  archive: object({ start: nullable(walSegment), stop: nullable(walSegment) }),
  backrest: object({ format: count, version: string }),
  database: databaseRef,
  'database-ref': optional(nullable(array(object({ name: string, oid: count })))),
  error: optional(boolean),
  'error-list': optional(array(string)),
  info: object({
    delta: size,
    repository: object({
      delta: optional(size),
      'delta-map': optional(size),
      size: optional(size),
      'size-map': optional(size),
    }),
    size,
  }),
  label: pattern(/^\d{8}-\d{6}F(?:_\d{8}-\d{6}[DI])?$/, 'a backup label like 20261124-052144F'),
  link: optional(nullable(array(object({ destination: string, name: string })))),
  lsn: optional(object({ start: string, stop: string })),
  prior: nullable(string),
  reference: nullable(array(string)),
  tablespace: optional(nullable(array(object({ destination: string, name: string, oid: count })))),
  timestamp: object({ start: count, stop: count }),
  type: oneOf(['full', 'diff', 'incr']),
});

const stanza = object({
  archive: array(archive),
  backup: array(backup),
  cipher: string,
  db: array(db),
  name: string,
  repo: optional(array(repo)),
  status: stanzaStatus,
});

const progressStanza = object({ name: string, status: stanzaStatus });

const fullInfo = array(stanza);
const progressInfo = array(progressStanza);

/**
 * Checks parsed full info JSON in place. Returns the issues found (empty when it is valid); `system-id` values become
 * their decimal text either way.
 */
export function validateInfo(json: unknown): { info: Info; issues: InfoIssue[] } {
  const issues: InfoIssue[] = [];
  return { info: fullInfo(json, [], issues) as Info, issues };
}

/** Checks parsed progress-mode info JSON in place, as {@link validateInfo} does for full info. */
export function validateInfoProgress(json: unknown): { info: InfoProgress; issues: InfoIssue[] } {
  const issues: InfoIssue[] = [];
  return { info: progressInfo(json, [], issues) as InfoProgress, issues };
}
