export { type CompiledPolicy, type CompilePolicyOptions, compilePolicy, renderConfig } from './compile.js';
export {
  type AlertRulesOptions,
  type CompiledAlertRules,
  compileAlertRules,
  type PrometheusAlertRule,
} from './compile-alert-rules.js';
export { maxRunsInWindow } from './compile-config.js';
export type {
  KubernetesCronJob,
  KubernetesOptions,
  ScheduledJob,
  SystemdUnit,
} from './compile-schedules.js';
export type { CompileNote, ConfigGroup, ConfigSections, SecretBinding } from './compile-types.js';
export { DEFAULT_COMPRESSION, DEFAULT_PGBACKREST_VERSION, RECOMMENDED_START_FAST } from './compression-defaults.js';
export { cronProblem, cronToOnCalendar } from './cron.js';
export { formatIssuePath, isPolicyValidationError, type PolicyIssue, PolicyValidationError } from './errors.js';
export {
  type EvaluatePolicyOptions,
  evaluatePolicy,
  type FindingSeverity,
  type PolicyEvaluation,
  type PolicyFinding,
  type RedundancyObservation,
} from './evaluate.js';
export { defaultJobLogFile, hostJobScript, type JobScriptOptions } from './job-script.js';
export { policyJsonSchema } from './json-schema.js';
export {
  localTimeWithOffset,
  type NextRunsOptions,
  nextRuns,
  policySchedules,
  type RunKind,
  type ScheduledRun,
  scheduleRuns,
  scheduleRunsBetween,
} from './next-runs.js';
export { parsePolicy, validatePolicy } from './parse.js';
export {
  POLICY_SCHEMA_ID,
  POLICY_VERSION,
  type Policy,
  type PolicyInput,
  type PolicyRepository,
  type PolicyRuntime,
  type PolicySchedule,
  policySchema,
  repositorySchema,
  runtimeSchema,
  type ScheduledBackupType,
  scheduleSchema,
} from './schema.js';
export { findInlineSecrets, type SecretRef, secretRefSchema } from './secret-ref.js';
export { type DurationText, durationSeconds, type SizeText } from './units.js';
