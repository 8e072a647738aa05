/**
 * `@chronos/pgbackrest`: the client (`createPgBackRest`), what it returns and throws, the command builders that
 * render a command without running it, and the parsers and models around `info`, restore targets and retention.
 *
 * Areas that stand alone have their own entry points: `@chronos/pgbackrest/policy` (backup policy as data),
 * `@chronos/pgbackrest/config` (read, write and lint `pgbackrest.conf`), `@chronos/pgbackrest/errors` (one class per
 * pgBackRest error code) and `@chronos/pgbackrest/testing` (real stacks for tests).
 *
 * @example
 * const pgbackrest = createPgBackRest({ stanza: 'main' });
 * const info = await pgbackrest.info();
 *
 * @packageDocumentation
 */

export { analyzeInfo } from './analysis/analyze-info.js';
export { analyzeProgress } from './analysis/analyze-progress.js';
export {
  newestArchivedActivity,
  type RestorableInstant,
  restorableInstantsFromVerifyReport,
  VerifyReportFormatError,
} from './analysis/restorable-instant.js';
export type {
  AnalyzedBackup,
  AnalyzeOptions,
  ArchiveRange,
  BackupChain,
  InfoAnalysis,
  OperationProgress,
  ProgressAnalysis,
  RecoveryWindow,
  RepositoryAnalysis,
  StanzaAnalysis,
  StanzaProgress,
} from './analysis/types.js';
export {
  CATALOGUE_VERSIONS,
  Catalogue,
  type CommandOption,
  catalogueFor,
  type ResolvedOption,
} from './catalogue/catalogue.js';
export type {
  CatalogueData,
  CatalogueVersion,
  CommandDefinition,
  CommandRole,
  OptionCommandRule,
  OptionDefinition,
  OptionDependency,
  OptionGroup,
  OptionSection,
  OptionType,
} from './catalogue/model.js';
export type {
  AnnotateOptions,
  AnyCommandOptions,
  ArchiveGetOptions,
  ArchivePushOptions,
  BackupOptions,
  CheckOptions,
  CommandName,
  ExpireOptions,
  InfoOptions,
  OptionsByCommand,
  RepoGetOptions,
  RepoLsOptions,
  RestoreOptions,
  ServerOptions,
  ServerPingOptions,
  SizeString,
  StanzaCreateOptions,
  StanzaDeleteOptions,
  StanzaUpgradeOptions,
  StartOptions,
  StopOptions,
  VerifyOptions,
  VersionOptions,
} from './catalogue/options.generated.js';
export {
  type CommandOptions,
  createPgBackRest,
  type InfoCallOptions,
  type PgBackRestClient,
  type PgBackRestClientOptions,
  type RepoLsEntry,
  type RunOptions,
} from './client/index.js';
export {
  annotateCommand,
  archiveGetCommand,
  archivePushCommand,
  type BuildContext,
  backupCommand,
  buildCommand,
  checkCommand,
  expireCommand,
  infoCommand,
  type OptionMap,
  type OptionValue,
  type PgBackRestCommand,
  parseVerifyOutput,
  render,
  repoGetCommand,
  repoLsCommand,
  restoreCommand,
  serverPingCommand,
  stanzaCreateCommand,
  stanzaDeleteCommand,
  stanzaUpgradeCommand,
  startCommand,
  stopCommand,
  type VerifyArchive,
  type VerifyBackup,
  type VerifyCounts,
  type VerifyResult,
  verifyCommand,
  versionCommand,
} from './commands/index.js';
export {
  type DockerMount,
  DockerRestoreError,
  DockerVolumeInUseError,
  type DockerVolumeRestoreOptions,
  type DockerVolumeRestoreResult,
  restoreIntoDockerVolume,
} from './docker/volume-restore.js';
export { type DoctorOptions, runDoctor } from './doctor/run-doctor.js';
export type { DoctorCheck, DoctorReport, DoctorStatus } from './doctor/types.js';
export type { CatalogueConnection } from './drill/catalogue.js';
export type { DrillCheckResult, SqlCheck, SqlExpectation } from './drill/checks.js';
export { parseExpectation } from './drill/checks.js';
export type { ContainerDrillOptions } from './drill/container-drill.js';
export { runContainerDrill } from './drill/container-drill.js';
export type { DrillFailure, DrillStage, RestoredClusterFailure } from './drill/errors.js';
export {
  DrillError,
  DrillRefusedError,
  DrillTimeoutError,
  isDrillError,
  isRecoveryTargetNotReachedError,
  isRestoredClusterError,
  RecoveryTargetNotReachedError,
  RestoredClusterError,
} from './drill/errors.js';
export type { RecoveryProgress } from './drill/recovery-log.js';
export type { DrillMetricLabels, DrillMetricValues, DrillReport } from './drill/report.js';
export {
  DRILL_REPORT_SCHEMA_VERSION,
  drillMetricValues,
  formatDrillReport,
  lastDrillSuccess,
  previousDrillRepo,
  previousDrillSuccess,
  renderDrillMetrics,
} from './drill/report.js';
export type { RestoreDrillOptions } from './drill/run-drill.js';
export { runRestoreDrill } from './drill/run-drill.js';
export {
  isPgBackRestError,
  PgBackRestAbortError,
  PgBackRestConfigurationError,
  PgBackRestError,
  type PgBackRestErrorDetails,
  type PgBackRestErrorKind,
  type PgBackRestErrorReport,
  PgBackRestExitError,
  PgBackRestOutputError,
  PgBackRestSpawnError,
  PgBackRestTimeoutError,
} from './errors/pgbackrest-error.js';
export {
  type DockerTransport,
  type ExecuteOptions,
  type ExecuteResult,
  execute,
  executeStream,
  type LocalTransport,
  type LogEvent,
  type LogLevel,
  parseLogLines,
  type RunAs,
  type SshTransport,
  type StreamingRun,
  type Transport,
} from './exec/index.js';
export {
  DEFAULT_EXPORTER_PORT,
  type Exporter,
  type ExporterEvent,
  type ExporterOptions,
  ExporterOptionsError,
  type ExporterStanza,
  type RefreshErrorKind,
  startExporter,
} from './exporter/index.js';
export {
  type ArchiveInfo,
  type BackupInfo,
  type BackupLock,
  type BackupType,
  type DbInfo,
  INFO_PROGRESS_SINCE,
  type Info,
  type InfoDetailLevel,
  type InfoDocument,
  type InfoIssue,
  InfoParseError,
  type InfoProgress,
  parseInfo,
  parseInfoDocument,
  parseInfoProgress,
  REPO_STATUS_CODES,
  type RepoInfo,
  type RepoStatusCode,
  STANZA_STATUS_CODES,
  type StanzaInfo,
  type StanzaProgressInfo,
  type StanzaStatus,
  type StanzaStatusCode,
  type SystemId,
  supportsInfoProgress,
  systemIdToBigInt,
} from './info/index.js';
export { type RenderMetricsOptions, renderMetrics } from './metrics/render-metrics.js';
export {
  AmbiguousLocalTimeError,
  type DefaultTarget,
  formatTargetTime,
  type ImmediateTarget,
  type LsnTarget,
  type NameTarget,
  NoBackupForTargetError,
  NonexistentLocalTimeError,
  parseTargetTime,
  planRestore,
  RecoveryWindowError,
  type RestorePlan,
  type RestoreTarget,
  RestoreTargetError,
  type RestoreTargetOptions,
  type StandbyTarget,
  type TargetAction,
  type TargetTimeline,
  type TimeTarget,
  type XidTarget,
} from './pitr/index.js';
export {
  type ArchiveRetentionType,
  type ExpiredSet,
  type ExpiredWalRange,
  type ExpireLogEntry,
  type ExpireReason,
  type ExpireSimulation,
  type FullRetentionType,
  nextWalSegment,
  parseExpireLog,
  previousWalSegment,
  type RetentionPolicy,
  RetentionPolicyError,
  retentionFromOptions,
  retentionToOptions,
  type SimulateExpireOptions,
  simulateExpire,
  validateRetentionPolicy,
} from './retention/index.js';
export { detectVersion, type PgBackRestVersion, parseVersion } from './version/index.js';
