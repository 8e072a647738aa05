import { z } from 'zod';
import { newestRestorableInstantSchema } from './newest-instant-report.js';
import { accessErrorCodes, findingCodes, REPORT_SCHEMA_VERSION } from './report.js';

// The report's shape as zod schemas: loaded by `@chronos/s3-verify/schema`, never by verifying (zod takes a tenth of a
// second to load). The types in report.ts are inferred from them.

/** `error`: restores are at risk; `warning`: needs a look; `info`: for the record, not a problem. */
export const severitySchema = z.enum(['error', 'warning', 'info']);

export const segmentRangeSchema = z.object({
  timeline: z.number().int(),
  /** 24-hex name of the first segment of the range. */
  first: z.string(),
  /** 24-hex name of the last segment of the range (inclusive). */
  last: z.string(),
  count: z.number().int(),
});

/** Where a finding was made: any of an object key, a backup label, an archive id, a segment range. */
const findingLocationSchema = z.object({
  key: z.string().optional(),
  label: z.string().optional(),
  archiveId: z.string().optional(),
  segments: segmentRangeSchema.optional(),
  /** A file inside the object (a backup file in a bundle), by its manifest name. */
  file: z.string().optional(),
});

/** One thing found wrong (or worth knowing) about the repository. */
export const findingSchema = z.object({
  code: z.enum(findingCodes),
  severity: severitySchema,
  message: z.string(),
  stanza: z.string().optional(),
  where: findingLocationSchema.optional(),
  /** What the manifest, the object's name or the format says should be there (never a secret). */
  expected: z.string().optional(),
  /** What was found instead. */
  found: z.string().optional(),
  /** Labels of the backups this damage keeps from being restored. */
  breaks: z.array(z.string()).optional(),
});

const accessSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true) }),
  z.object({
    ok: z.literal(false),
    code: z.enum(accessErrorCodes),
    message: z.string(),
    /** The region the service says the bucket is in, when it said so. */
    expectedRegion: z.string().optional(),
  }),
]);

const settingState = z.enum(['enabled', 'disabled', 'suspended', 'unknown']);
export const bucketSettingsSchema = z.object({
  versioning: settingState,
  objectLock: settingState,
  encryption: z.object({ state: settingState, algorithm: z.string().optional() }),
  /** Settings the service did not answer (not implemented, not allowed), with the reason. */
  unknownReasons: z.record(z.string(), z.string()),
});

const segmentSizeSchema = z.object({
  bytes: z.number().int().nullable(),
  /** option: given by the caller; wal-header: read from a segment's page header; object-size: size of an
   * uncompressed, unencrypted segment object; listing: inferred from where log folders roll over; unknown. */
  source: z.enum(['option', 'wal-header', 'object-size', 'listing', 'unknown']),
});

const timelineSchema = z.object({
  timeline: z.number().int(),
  segments: z.number().int(),
  oldest: z.string().nullable(),
  newest: z.string().nullable(),
});

const archiveSchema = z.object({
  archiveId: z.string(),
  segmentSize: segmentSizeSchema,
  timelines: z.array(timelineSchema),
  /** Required WAL range checked (from the oldest backup's start to the newest segment), per timeline. */
  checked: z.array(segmentRangeSchema),
  /** Recovery that cannot complete because WAL on the restore path is missing (see the message). */
  unrecoverable: z.array(
    z.object({
      timeline: z.number().int(),
      after: z.string().nullable(),
      missing: segmentRangeSchema,
      until: z.string().nullable(),
      /** Restores to times after this (ISO 8601; when the last segment before the gap was archived) cannot complete from older backups. */
      from: z.string().nullable().optional(),
      /** …until this time (ISO 8601; when the `until` backup was consistent); null: no later backup. */
      to: z.string().nullable().optional(),
      message: z.string(),
    }),
  ),
  objects: z.number().int(),
  bytes: z.number().int(),
});

const backupSchema = z.object({
  label: z.string(),
  type: z.string().nullable(),
  archiveId: z.string().nullable(),
  walStart: z.string().nullable(),
  walStop: z.string().nullable(),
  manifest: z.boolean(),
  manifestCopy: z.boolean(),
  /** Whether every segment from walStart to walStop is in the archive; null when it could not be checked. */
  walComplete: z.boolean().nullable(),
  /**
   * Whether the backup can be restored: false with the reasons when any check found it broken (its manifest,
   * its own WAL, the backups it depends on, in deep mode its files); true only after deep verification found
   * nothing; null when a shallow check found nothing (files not read).
   */
  restorable: z.boolean().nullable(),
  reasons: z.array(z.string()),
  objects: z.number().int(),
  bytes: z.number().int(),
});

const costEstimateSchema = z.object({
  region: z.string(),
  currency: z.string(),
  priceSource: z.string(),
  pricesAsOf: z.string(),
  observedSeconds: z.number(),
  walSegmentsPerDay: z.number(),
  backupsPerDay: z.number(),
  storage: z.object({ bytes: z.number(), monthly: z.number() }),
  requests: z.object({
    walPuts: z.number(),
    backupPuts: z.number(),
    verificationLists: z.number(),
    verificationGets: z.number(),
    monthly: z.number(),
  }),
  restoreEgress: z.object({ bytes: z.number(), cost: z.number() }),
  monthly: z.number(),
  notes: z.array(z.string()),
});

const costSchema = z.object({
  bytes: z.number().int(),
  /** bytes / 2^30 */
  gibibytes: z.number(),
  monthly: z.number(),
  /**
   * S3 repositories in a region of the price table: storage, requests (WAL and backup PUTs at the observed rates,
   * verification LISTs and GETs) and the egress of one full restore, with what is left out.
   */
  estimate: costEstimateSchema.nullable().optional(),
});

const stanzaSchema = z.object({
  name: z.string(),
  /** False when something kept a part of this stanza from being checked (see findings). */
  verified: z.boolean(),
  encrypted: z.boolean().nullable(),
  systemId: z.string().nullable(),
  pgVersion: z.string().nullable(),
  backups: z.array(backupSchema),
  archives: z.array(archiveSchema),
  objects: z.number().int(),
  bytes: z.number().int(),
  cost: costSchema,
  encryptionSample: z.object({ checked: z.number().int(), salted: z.number().int() }),
  /** What deep verification read; null in the shallow mode. */
  deep: z
    .object({
      /** Backup files checked (each stored file once, however many backups reference it), their original bytes. */
      files: z.number().int(),
      fileBytes: z.number().int(),
      /** Files that could only be checked as stored bytes or not at all (block incremental), with why. */
      notProven: z.array(z.object({ label: z.string(), files: z.number().int(), reason: z.string() })),
      /** WAL segments checked and their bytes. */
      segments: z.number().int(),
      segmentBytes: z.number().int(),
    })
    .nullable(),
  /**
   * The last commit and checkpoint in the newest archived WAL (read in deep mode or with `newestInstant`):
   * the upper end of the recovery window as a time. null when not read or no segment; absent in older reports.
   */
  newestRestorableInstant: newestRestorableInstantSchema.nullable().optional(),
});

/**
 * The stable, JSON-serializable result of `verifyRepository`, as a zod schema: validates a report read back from JSON
 * (the `result` that `chronos --json verify-s3` prints, say).
 *
 * @example
 * import { verifyReportSchema } from '@chronos/s3-verify/schema';
 * const report = verifyReportSchema.parse(JSON.parse(await readFile('verify-report.json', 'utf8')));
 */
export const verifyReportSchema = z.object({
  schemaVersion: z.literal(REPORT_SCHEMA_VERSION),
  generatedAt: z.string(),
  /** Where the repository is: an S3 bucket (keys in findings are object keys) or a directory (keys are paths relative to it). */
  target: z.discriminatedUnion('storage', [
    z.object({
      storage: z.literal('s3'),
      bucket: z.string(),
      region: z.string(),
      endpoint: z.string().nullable(),
      repoPath: z.string(),
    }),
    z.object({ storage: z.literal('posix'), path: z.string() }),
  ]),
  /** ok: no error or warning findings; findings: some; unverified: the repository could not be fully checked. */
  outcome: z.enum(['ok', 'findings', 'unverified']),
  access: accessSchema,
  bucket: bucketSettingsSchema.nullable(),
  stanzas: z.array(stanzaSchema),
  findings: z.array(findingSchema),
  cost: z.object({
    pricePerGibMonth: z.number(),
    currency: z.string(),
    assumption: z.string(),
    bytes: z.number().int(),
    monthly: z.number(),
  }),
  settings: z.object({
    gracePeriodSeconds: z.number(),
    inFlightSegments: z.number().int(),
    deep: z.boolean(),
    /**
     * What deep verification proved of backup files with a stored checksum; null in the shallow mode. Absent from
     * reports written before it existed, which proved content.
     */
    deepProof: z.enum(['content', 'stored']).nullable().optional(),
    concurrency: z.number().int(),
    encryptionSampleSize: z.number().int(),
  }),
});
