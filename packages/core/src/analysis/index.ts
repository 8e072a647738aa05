export { analyzeInfo } from './analyze-info.js';
export type {
  AnalyzedBackup,
  AnalyzeOptions,
  ArchiveRange,
  BackupChain,
  InfoAnalysis,
  OperationProgress,
  RecoveryWindow,
  RepositoryAnalysis,
  StanzaAnalysis,
} from './types.js';
