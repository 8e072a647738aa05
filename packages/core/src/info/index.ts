export { type InfoIssue, InfoParseError } from './info-parse-error.js';
export { quoteUnsafeIntegers } from './long-integers.js';
export { parseInfo } from './parse-info.js';
export { REPO_STATUS_CODES, STANZA_STATUS_CODES, type SystemId, systemIdToBigInt } from './schema.js';
export type {
  ArchiveInfo,
  BackupInfo,
  BackupLock,
  BackupType,
  DbInfo,
  Info,
  RepoInfo,
  RepoStatusCode,
  StanzaInfo,
  StanzaStatus,
  StanzaStatusCode,
} from './types.js';
