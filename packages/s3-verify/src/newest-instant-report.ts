import { z } from 'zod';

/** The newest restorable instant as a report holds it (see `NewestRestorableInstant`). */
export const newestRestorableInstantSchema = z.object({
  archiveId: z.string(),
  timeline: z.number().int(),
  /** The newest archived segment of the newest timeline. */
  newestSegment: z.string(),
  /** Segments whose WAL records were read, newest first. */
  segmentsRead: z.array(z.string()),
  /** The last commit in those segments: a point-in-time recovery reaches no later than `at`. */
  lastCommit: z.object({ at: z.string(), xid: z.number().int(), lsn: z.string(), segment: z.string() }).nullable(),
  /** The last checkpoint record in those segments. */
  lastCheckpoint: z
    .object({
      at: z.string(),
      kind: z.enum(['online', 'shutdown']),
      lsn: z.string(),
      redo: z.string(),
      segment: z.string(),
    })
    .nullable(),
  /** Records skipped because their CRC-32C failed. */
  damagedRecords: z.number().int(),
});
