export {
  AccessDeniedError,
  classifyS3Error,
  EndpointUnreachableError,
  NoSuchBucketError,
  PathAccessError,
  RepositoryAccessError,
  S3AccessError,
  S3RequestError,
  S3TimeoutError,
  TlsFailureError,
  WrongRegionError,
} from './access-error.js';
export { BucketReader } from './bucket.js';
export { decryptFile, NotEncryptedError, WrongPassphraseError } from './cipher.js';
export {
  type CostEstimate,
  type CostEstimateOptions,
  estimateCost,
  type RegionPrices,
  type RepositoryUsage,
  S3_PRICE_TABLE,
  UnknownRegionError,
  usageFromListing,
  usageFromReport,
} from './cost.js';
export type { InfoFile, InfoSection } from './info-file.js';
export { InfoFileParseError } from './info-file.js';
export type { NewestRestorableInstant } from './newest-instant.js';
export type {
  CommonVerifyOptions,
  DeepProof,
  PosixVerifyOptions,
  VerifyOptions as VerifyRepositoryOptions,
} from './options.js';
export { DEFAULT_PRICE_ASSUMPTION, DEFAULT_PRICE_PER_GIB_MONTH } from './options.js';
export type { PassphraseSource } from './passphrase.js';
export { loadPassphrase, PassphraseSourceError } from './passphrase.js';
export type { PgBackRestComparison } from './pgbackrest-comparison.js';
export { comparePgBackRestVerify } from './pgbackrest-comparison.js';
export type { PgBackRestVerifyCounts, PgBackRestVerifyProblem, PgBackRestVerifyResult } from './pgbackrest-verify.js';
export { parsePgBackRestVerify } from './pgbackrest-verify.js';
export { PosixStorage } from './posix-storage.js';
export type { VerifyProgress } from './progress.js';
export { describeProgress } from './progress.js';
export type {
  AccessErrorCode,
  ArchiveReport,
  BackupReport,
  BucketSettings,
  Finding,
  FindingCode,
  Severity,
  StanzaReport,
  VerifyReport,
} from './report.js';
export { exitCodeFor, findingCodes, REPORT_SCHEMA_VERSION } from './report.js';
export { createS3Client } from './s3-client.js';
export type { ByteRange, ListedObject, ListingPage, ListOptions, RepositoryStorage } from './storage.js';
export { ObjectReadError } from './stored-object.js';
export { summarizeReport } from './summary.js';
export type { TimelineSwitch } from './timeline-history.js';
export { parseTimelineHistory, TimelineHistoryParseError } from './timeline-history.js';
export { verifyRepository } from './verify.js';
export { parseLsn, parseSegmentName, parseWalFileName, segmentName, type WalFileName } from './wal-name.js';
