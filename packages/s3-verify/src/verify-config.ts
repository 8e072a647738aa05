import { z } from 'zod';

// Loaded by `@chronos/s3-verify/schema`, never by verifying (zod takes a tenth of a second to load).

const passphraseReference = z.union([
  z.object({ env: z.string().min(1) }).strict(),
  z.object({ file: z.string().min(1) }).strict(),
]);

/**
 * Schema of a verification config file (JSON or YAML). The passphrase can only be a reference to an
 * environment variable or a file, never the value; credentials come from the AWS default chain.
 *
 * @example
 * import { verifyConfigSchema } from '@chronos/s3-verify/schema';
 * const checked = verifyConfigSchema.safeParse({ bucket: 'pg-backups', region: 'ca-central-1' });
 */
export const verifyConfigSchema = z
  .object({
    bucket: z.string().min(1),
    region: z.string().min(1),
    endpoint: z.string().url().optional(),
    forcePathStyle: z.boolean().optional(),
    tls: z.object({ caCertFile: z.string().optional(), verify: z.boolean().optional() }).strict().optional(),
    repoPath: z.string().optional(),
    stanzas: z.array(z.string().min(1)).optional(),
    cipherPassphrase: passphraseReference.optional(),
    walSegmentSize: z.number().int().positive().optional(),
    gracePeriodSeconds: z.number().nonnegative().optional(),
    inFlightSegments: z.number().int().nonnegative().optional(),
    deep: z.boolean().optional(),
    deepProof: z.enum(['content', 'stored']).optional(),
    newestInstant: z.boolean().optional(),
    concurrency: z.number().int().min(1).max(256).optional(),
    encryptionSampleSize: z.number().int().min(0).optional(),
    pricePerGibMonth: z.number().nonnegative().optional(),
    currency: z.string().optional(),
    timeoutMs: z.number().int().positive().optional(),
  })
  .strict();

/** A verification config file, validated. */
export type VerifyConfig = z.infer<typeof verifyConfigSchema>;

/**
 * Validates a parsed config file. A plain passphrase value is rejected.
 *
 * @example
 * import { parseVerifyConfig } from '@chronos/s3-verify/schema';
 * const config = parseVerifyConfig(JSON.parse(await readFile('verify.json', 'utf8')));
 */
export function parseVerifyConfig(input: unknown): VerifyConfig {
  return verifyConfigSchema.parse(input);
}
