export { type CatalogueConnection, catalogueDifferences } from './catalogue.js';
export {
  type DrillCheckResult,
  formatExpectation,
  judgeSqlOutput,
  parseExpectation,
  type SqlCheck,
  type SqlExpectation,
} from './checks.js';
export {
  type ContainerDrillOptions,
  type DrillConfigFacts,
  drillConfigFacts,
  repositoryMounts,
  runContainerDrill,
} from './container-drill.js';
export {
  DrillError,
  type DrillFailure,
  DrillRefusedError,
  type DrillStage,
  DrillTimeoutError,
  isDrillError,
  isRecoveryTargetNotReachedError,
  isRestoredClusterError,
  RecoveryTargetNotReachedError,
  RestoredClusterError,
  type RestoredClusterFailure,
} from './errors.js';
export {
  type ProgramRunner,
  type ProgramRunOptions,
  type QueryOptions,
  type RecoveredCluster,
  type RecoveredClusterOptions,
  startRecoveredCluster,
} from './recovered-cluster.js';
export { parseRecoveryProgress, type RecoveryProgress, recoveryLogExcerpt } from './recovery-log.js';
export {
  DRILL_REPORT_SCHEMA_VERSION,
  type DrillMetricLabels,
  type DrillMetricValues,
  type DrillReport,
  drillMetricValues,
  formatDrillReport,
  lastDrillSuccess,
  previousDrillRepo,
  previousDrillSuccess,
  renderDrillMetrics,
} from './report.js';
export { type RestoreDrillOptions, runRestoreDrill } from './run-drill.js';
export { transportRunner } from './transport-runner.js';
