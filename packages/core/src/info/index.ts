export { type InfoIssue, InfoParseError } from './info-parse-error.js';
export { parseInfo, parseInfoDocument, parseInfoProgress } from './parse-info.js';
export { INFO_PROGRESS_SINCE, supportsInfoProgress } from './progress-mode.js';
export type {
  ArchiveInfo,
  BackupInfo,
  BackupLock,
  BackupType,
  DbInfo,
  Info,
  InfoDetailLevel,
  InfoDocument,
  InfoProgress,
  RepoInfo,
  RepoStatusCode,
  StanzaInfo,
  StanzaProgressInfo,
  StanzaStatus,
  StanzaStatusCode,
} from './types.js';
export { REPO_STATUS_CODES, STANZA_STATUS_CODES, type SystemId, systemIdToBigInt } from './values.js';
