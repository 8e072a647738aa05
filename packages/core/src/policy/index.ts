export { cronProblem, cronToOnCalendar } from './cron.js';
export { formatIssuePath, isPolicyValidationError, type PolicyIssue, PolicyValidationError } from './errors.js';
export { policyJsonSchema } from './json-schema.js';
export {
  localTimeWithOffset,
  type NextRunsOptions,
  nextRuns,
  policySchedules,
  type RunKind,
  type ScheduledRun,
  scheduleRuns,
} from './next-runs.js';
export { parsePolicy, validatePolicy } from './parse.js';
export {
  POLICY_SCHEMA_ID,
  POLICY_VERSION,
  type Policy,
  type PolicyInput,
  type PolicyRepository,
  type PolicySchedule,
  policySchema,
  repositorySchema,
  type ScheduledBackupType,
  scheduleSchema,
} from './schema.js';
export { findInlineSecrets, type SecretRef, secretRefSchema } from './secret-ref.js';
export { type DurationText, durationSeconds, type SizeText, sizeBytes } from './units.js';
