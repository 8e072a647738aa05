import { z } from 'zod';

/**
 * The newest instant a point-in-time recovery of a stanza can reach, as read from the newest archived WAL
 * (by `@chronos/s3-verify`, which reads the WAL records): the time of the last commit and of the last
 * checkpoint the archive holds. `info` records no such time.
 */
export interface RestorableInstant {
  readonly stanza: string;
  /** The last commit in the newest archived WAL: `recovery_target_time` reaches no later. */
  readonly lastCommitAt: Date | undefined;
  /** The last checkpoint in the newest archived WAL. */
  readonly lastCheckpointAt: Date | undefined;
  readonly archiveId?: string;
  readonly timeline?: number;
  /** The newest archived segment (24-hex name). */
  readonly segment?: string;
}

/** A file that is not a verify report, or one without the newest restorable instant. */
export class VerifyReportFormatError extends Error {
  override readonly name = 'VerifyReportFormatError';
}

const isoDate = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'an ISO 8601 time');
const reportShape = z.object({
  schemaVersion: z.literal(1),
  stanzas: z.array(
    z.object({
      name: z.string(),
      newestRestorableInstant: z
        .object({
          archiveId: z.string(),
          timeline: z.number().int(),
          newestSegment: z.string(),
          lastCommit: z.object({ at: isoDate }).nullable(),
          lastCheckpoint: z.object({ at: isoDate }).nullable(),
        })
        .nullable()
        .optional(),
    }),
  ),
});

/**
 * The newest restorable instant of each stanza in a verify report: the JSON that `verifyRepository` returns,
 * or the document `chronos verify-s3 --json` / `verify-repo --json` print (its `result`). Stanzas whose report holds none (shallow
 * mode without `newestInstant`) are left out.
 *
 * @throws VerifyReportFormatError when the input is not a verify report of schema version 1.
 * @example
 * const instants = restorableInstantsFromVerifyReport(JSON.parse(await readFile('verify.json', 'utf8')));
 * evaluatePolicy(policy, info, { now: new Date(), restorableInstants: instants });
 */
export function restorableInstantsFromVerifyReport(report: unknown): RestorableInstant[] {
  const envelope = report as { command?: unknown; result?: unknown } | null;
  const inner = typeof envelope?.command === 'string' && typeof envelope.result === 'object' ? envelope.result : report;
  const parsed = reportShape.safeParse(inner);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new VerifyReportFormatError(
      `not a verify report (schema version 1)${issue === undefined ? '' : `: ${issue.path.join('.') || 'root'}: ${issue.message}`}; pass the JSON report of \`chronos verify-s3 --deep --json\` or \`verify-repo --deep --json\``,
    );
  }
  return parsed.data.stanzas.flatMap((stanza) => {
    const instant = stanza.newestRestorableInstant;
    if (instant == null) return [];
    return [
      {
        stanza: stanza.name,
        lastCommitAt: instant.lastCommit === null ? undefined : new Date(instant.lastCommit.at),
        lastCheckpointAt: instant.lastCheckpoint === null ? undefined : new Date(instant.lastCheckpoint.at),
        archiveId: instant.archiveId,
        timeline: instant.timeline,
        segment: instant.newestSegment,
      },
    ];
  });
}

/**
 * The newest time the archived WAL is known to reach: the later of its last commit and last checkpoint.
 *
 * @example
 * newestArchivedActivity(instant)?.toISOString();
 */
export function newestArchivedActivity(instant: RestorableInstant): Date | undefined {
  const times = [instant.lastCommitAt, instant.lastCheckpointAt].filter((d): d is Date => d !== undefined);
  return times.length === 0 ? undefined : new Date(Math.max(...times.map((d) => d.getTime())));
}
