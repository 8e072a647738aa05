/** `repo-retention-full-type`: keep a number of full backups, or full backups for a number of days. */
export type FullRetentionType = 'count' | 'time';
/** `repo-retention-archive-type`: which backups `repo-retention-archive` counts. */
export type ArchiveRetentionType = 'full' | 'diff' | 'incr';

/**
 * The retention options of one repository (`repoN-retention-*`), typed. Absent means unset, as in pgbackrest.conf.
 *
 * @example
 * const weekly: RetentionPolicy = { full: 7, fullType: 'time', diff: 6, history: 365 };
 */
export interface RetentionPolicy {
  /** `repo-retention-full`: a count of full backups, or days when `fullType` is `time` (1–9999999). */
  readonly full?: number;
  /** `repo-retention-full-type`, default `count`. */
  readonly fullType?: FullRetentionType;
  /** `repo-retention-diff`: differential backups to keep; full backups count as differentials (1–9999999). */
  readonly diff?: number;
  /** `repo-retention-archive`: keep WAL for this many backups of `archiveType` (1–9999999). */
  readonly archive?: number;
  /** `repo-retention-archive-type`, default `full`. */
  readonly archiveType?: ArchiveRetentionType;
  /** `repo-retention-history`: days of backup.history manifests to keep (0–9999999). */
  readonly history?: number;
}

/** A retention option value pgBackRest would refuse. */
export class RetentionPolicyError extends Error {
  override readonly name = 'RetentionPolicyError';
}

const KEYS = {
  full: 'retention-full',
  fullType: 'retention-full-type',
  diff: 'retention-diff',
  archive: 'retention-archive',
  archiveType: 'retention-archive-type',
  history: 'retention-history',
} as const;

function checkCount(name: string, value: number | undefined, min: number): void {
  if (value === undefined) return;
  if (!Number.isInteger(value) || value < min || value > 9_999_999) {
    throw new RetentionPolicyError(`${name} must be an integer from ${min} to 9999999, got ${String(value)}.`);
  }
}

/**
 * Checks a policy against pgBackRest's ranges and allow-lists.
 *
 * @throws {RetentionPolicyError} naming the option and its allowed values.
 * @example
 * validateRetentionPolicy({ full: 0 }); // throws: retention-full must be an integer from 1 to 9999999
 */
export function validateRetentionPolicy(policy: RetentionPolicy): RetentionPolicy {
  checkCount(KEYS.full, policy.full, 1);
  checkCount(KEYS.diff, policy.diff, 1);
  checkCount(KEYS.archive, policy.archive, 1);
  checkCount(KEYS.history, policy.history, 0);
  if (policy.fullType !== undefined && policy.fullType !== 'count' && policy.fullType !== 'time') {
    throw new RetentionPolicyError(`${KEYS.fullType} must be 'count' or 'time', got '${String(policy.fullType)}'.`);
  }
  if (policy.archiveType !== undefined && !['full', 'diff', 'incr'].includes(policy.archiveType)) {
    throw new RetentionPolicyError(
      `${KEYS.archiveType} must be 'full', 'diff' or 'incr', got '${String(policy.archiveType)}'.`,
    );
  }
  return policy;
}

/**
 * Renders a policy as `repoN-retention-*` options (string values, as in pgbackrest.conf).
 *
 * @example
 * retentionToOptions({ full: 2, diff: 4 }, 1); // { 'repo1-retention-full': '2', 'repo1-retention-diff': '4' }
 */
export function retentionToOptions(policy: RetentionPolicy, repo: number): Record<string, string> {
  validateRetentionPolicy(policy);
  const out: Record<string, string> = {};
  for (const [field, key] of Object.entries(KEYS) as [keyof RetentionPolicy, string][]) {
    const value = policy[field];
    if (value !== undefined) out[`repo${repo}-${key}`] = String(value);
  }
  return out;
}

/**
 * Reads `repoN-retention-*` options (from a parsed pgbackrest.conf section or a plain record) into a policy.
 * The deprecated un-indexed names (`retention-full`, …) are read as repo1's.
 *
 * @example
 * retentionFromOptions({ 'repo1-retention-full': '2' }, 1); // { full: 2 }
 */
export function retentionFromOptions(
  options: Readonly<Record<string, string | undefined>>,
  repo: number,
): RetentionPolicy {
  const read = (key: string): string | undefined =>
    options[`repo${repo}-${key}`] ?? (repo === 1 ? options[key] : undefined);
  const int = (key: string): number | undefined => {
    const raw = read(key);
    if (raw === undefined) return undefined;
    if (!/^\d+$/.test(raw.trim()))
      throw new RetentionPolicyError(`repo${repo}-${key} must be an integer, got '${raw}'.`);
    return Number(raw);
  };
  const policy: { -readonly [K in keyof RetentionPolicy]: RetentionPolicy[K] } = {};
  const full = int(KEYS.full);
  if (full !== undefined) policy.full = full;
  const fullType = read(KEYS.fullType);
  if (fullType !== undefined) policy.fullType = fullType as FullRetentionType;
  const diff = int(KEYS.diff);
  if (diff !== undefined) policy.diff = diff;
  const archive = int(KEYS.archive);
  if (archive !== undefined) policy.archive = archive;
  const archiveType = read(KEYS.archiveType);
  if (archiveType !== undefined) policy.archiveType = archiveType as ArchiveRetentionType;
  const history = int(KEYS.history);
  if (history !== undefined) policy.history = history;
  return validateRetentionPolicy(policy);
}
