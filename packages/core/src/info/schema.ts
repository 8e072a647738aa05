import { z } from 'zod';
import { REPO_STATUS_CODES, STANZA_STATUS_CODES, type SystemId } from './values.js';

export { REPO_STATUS_CODES, STANZA_STATUS_CODES };

const count = z.int().nonnegative();
const size = z.number().nonnegative();
const walSegment = z.string().regex(/^[0-9A-F]{24}$/, 'a 24-hex-digit WAL segment name');

const systemId = z
  .union([z.string().regex(/^\d{1,20}$/, 'a decimal system id'), z.int().nonnegative()])
  .transform((value) => String(value) as SystemId);

const databaseRef = z.looseObject({ id: count, 'repo-key': count.optional() });

const lockProgress = {
  held: z.boolean(),
  size: size.optional(),
  'size-cplt': size.optional(),
};

export const backupLockSchema = z.looseObject({
  ...lockProgress,
  repo: z.array(z.looseObject({ key: count, ...lockProgress, held: z.boolean().optional() })).optional(),
});

export const stanzaStatusSchema = z.looseObject({
  code: z.literal(STANZA_STATUS_CODES),
  message: z.string(),
  lock: z
    .looseObject({
      backup: backupLockSchema,
      restore: z.looseObject(lockProgress).optional(),
    })
    .optional(),
});

export const repoSchema = z.looseObject({
  cipher: z.string(),
  key: count,
  status: z.looseObject({ code: z.literal(REPO_STATUS_CODES), message: z.string() }),
});

export const dbSchema = z.looseObject({
  id: count,
  'repo-key': count.optional(),
  'system-id': systemId,
  version: z.string(),
});

export const archiveSchema = z.looseObject({
  database: databaseRef,
  id: z.string(),
  max: walSegment.nullable(),
  min: walSegment.nullable(),
});

export const backupSchema = z.looseObject({
  annotation: z.record(z.string(), z.string()).optional(),
  archive: z.looseObject({ start: walSegment.nullable(), stop: walSegment.nullable() }),
  backrest: z.looseObject({ format: count, version: z.string() }),
  database: databaseRef,
  'database-ref': z
    .array(z.looseObject({ name: z.string(), oid: count }))
    .nullable()
    .optional(),
  error: z.boolean().optional(),
  'error-list': z.array(z.string()).optional(),
  info: z.looseObject({
    delta: size,
    repository: z.looseObject({
      delta: size.optional(),
      'delta-map': size.optional(),
      size: size.optional(),
      'size-map': size.optional(),
    }),
    size: size,
  }),
  label: z.string().regex(/^\d{8}-\d{6}F(?:_\d{8}-\d{6}[DI])?$/, 'a backup label like 20261124-052144F'),
  link: z
    .array(z.looseObject({ destination: z.string(), name: z.string() }))
    .nullable()
    .optional(),
  lsn: z.looseObject({ start: z.string(), stop: z.string() }).optional(),
  prior: z.string().nullable(),
  reference: z.array(z.string()).nullable(),
  tablespace: z
    .array(z.looseObject({ destination: z.string(), name: z.string(), oid: count }))
    .nullable()
    .optional(),
  timestamp: z.looseObject({ start: count, stop: count }),
  type: z.enum(['full', 'diff', 'incr']),
});

export const stanzaSchema = z.looseObject({
  archive: z.array(archiveSchema),
  backup: z.array(backupSchema),
  cipher: z.string(),
  db: z.array(dbSchema),
  name: z.string(),
  repo: z.array(repoSchema).optional(),
  status: stanzaStatusSchema,
});

export const infoSchema = z.array(stanzaSchema);

/**
 * One stanza of `info --detail-level=progress` (pgBackRest 2.56+): its name and status with the backup and restore
 * locks and their progress; no archive, backup, db or cipher. Full output parses too (its other fields are kept).
 */
export const progressStanzaSchema = z.looseObject({
  name: z.string(),
  status: stanzaStatusSchema,
});

export const infoProgressSchema = z.array(progressStanzaSchema);
