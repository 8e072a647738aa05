export { analyzeInfo } from './analyze-info.js';
export { analyzeProgress } from './analyze-progress.js';
export type { RestorableInstant } from './restorable-instant.js';
export {
  newestArchivedActivity,
  restorableInstantsFromVerifyReport,
  VerifyReportFormatError,
} from './restorable-instant.js';
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
} from './types.js';
