export { analyzeInfo } from './analyze-info.js';
export { analyzeProgress } from './analyze-progress.js';
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
