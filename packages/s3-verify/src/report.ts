import type { z } from 'zod';
import type {
  bucketSettingsSchema,
  findingSchema,
  segmentRangeSchema,
  severitySchema,
  verifyReportSchema,
} from './report-schema.js';

/** Version of the report's JSON shape; bumped on any incompatible change. */
export const REPORT_SCHEMA_VERSION = 1;

/** Every kind of finding a verification can produce. */
export const findingCodes = [
  'stanza-not-found',
  'info-file-missing',
  'info-file-invalid',
  'info-checksum-mismatch',
  'info-copy-mismatch',
  'info-mismatch',
  'passphrase-missing',
  'wrong-passphrase',
  'backup-manifest-missing',
  'backup-manifest-copy-missing',
  'backup-manifest-invalid',
  'backup-unlisted',
  'backup-reference-missing',
  'wal-missing',
  'wal-in-flight',
  'wal-backup-incomplete',
  'wal-duplicate',
  'wal-history-missing',
  'wal-history-invalid',
  'wal-history-mismatch',
  'wal-compression-unknown',
  'wal-segment-size-unknown',
  'wal-not-checked',
  'encryption-missing',
  'encryption-unexpected',
  'object-unreadable',
  'backup-file-missing',
  'backup-file-truncated',
  'backup-file-corrupt',
  'backup-file-size-mismatch',
  'backup-file-checksum-mismatch',
  'backup-compression-unsupported',
  'wal-segment-corrupt',
  'wal-segment-size-mismatch',
  'wal-segment-header-mismatch',
  'wal-segment-checksum-mismatch',
  'verification-aborted',
] as const;

/** Machine-readable code of a finding. */
export type FindingCode = (typeof findingCodes)[number];

/** Codes of the ways the bucket could not be reached. */
export const accessErrorCodes = [
  'no-such-bucket',
  'access-denied',
  'tls-failure',
  'timeout',
  'wrong-region',
  'unreachable',
  'request-failed',
  'path-not-found',
] as const;
/** Why the repository could not be reached. */
export type AccessErrorCode = (typeof accessErrorCodes)[number];

/** How bad a finding is. */
export type Severity = z.infer<typeof severitySchema>;
/** One thing found wrong (or worth knowing) about the repository. */
export type Finding = z.infer<typeof findingSchema>;

/** The stable, JSON-serializable result of {@link verifyRepository}. */
export type VerifyReport = z.infer<typeof verifyReportSchema>;
/** One stanza's part of a {@link VerifyReport}. */
export type StanzaReport = VerifyReport['stanzas'][number];
/** One archive id's part of a {@link StanzaReport}. */
export type ArchiveReport = StanzaReport['archives'][number];
/** One backup's part of a {@link StanzaReport}. */
export type BackupReport = StanzaReport['backups'][number];
/** The bucket settings part of a {@link VerifyReport}. */
export type BucketSettings = z.infer<typeof bucketSettingsSchema>;
/** A segment range as reported. */
export type ReportedSegmentRange = z.infer<typeof segmentRangeSchema>;

/**
 * The process exit code for a report: 0 nothing wrong, 1 findings (error or warning), 2 the
 * repository could not be verified (unreachable, unreadable, wrong or missing passphrase).
 *
 * @example
 * process.exitCode = exitCodeFor(await verifyRepository(options));
 */
export function exitCodeFor(report: Pick<VerifyReport, 'outcome'>): 0 | 1 | 2 {
  return report.outcome === 'ok' ? 0 : report.outcome === 'findings' ? 1 : 2;
}

/**
 * The outcome that follows from access, stanza verification and findings.
 *
 * @example
 * decideOutcome(true, [stanza], findings); // 'findings'
 */
export function decideOutcome(
  accessOk: boolean,
  stanzas: readonly Pick<StanzaReport, 'verified'>[],
  findings: readonly Pick<Finding, 'severity'>[],
): VerifyReport['outcome'] {
  if (!accessOk || stanzas.some((s) => !s.verified)) return 'unverified';
  return findings.some((f) => f.severity !== 'info') ? 'findings' : 'ok';
}
