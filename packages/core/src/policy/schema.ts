import { z } from 'zod';
import { parseSize, SIZE_PATTERN } from '../config/lint/value-grammar.js';
import { cronProblem } from './cron.js';
import { secretRefSchema } from './secret-ref.js';
import { DURATION_PATTERN } from './units.js';

/**
 * Version of the policy document format; the `version` field of every policy.
 *
 * @example
 * const doc = { version: POLICY_VERSION, stanza: 'main' };
 */
export const POLICY_VERSION = 1;

/**
 * `$id` of the JSON Schema of this policy format version.
 *
 * @example
 * policyJsonSchema().$id === POLICY_SCHEMA_ID; // true
 */
export const POLICY_SCHEMA_ID = `urn:chronos:pgbackrest:policy:v${POLICY_VERSION}`;

const REPO_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;
const STANZA = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const duration = z.string().regex(DURATION_PATTERN, {
  error: 'write a duration as <integer><unit> parts, unit w, d, h, m or s (e.g. "26h", "7d")',
});

const SIZE_HINT =
  'digits with an optional unit b, k/kb/kib, m/mb/mib, g/gb/gib, t/tb/tib or p/pb/pib (e.g. "1GiB", "128KB")';
const size = z
  .string()
  .regex(SIZE_PATTERN, { error: `write a size as pgBackRest reads it: ${SIZE_HINT}` })
  .refine((text) => parseSize(text) !== undefined, { error: 'this size does not fit in 64 bits' });

const absolutePath = z.string().regex(/^\//, { error: 'write an absolute path' });

/**
 * A time of recurring runs: a five-field cron expression read in an explicit IANA time zone.
 *
 * @example
 * scheduleSchema.parse({ cron: '0 2 * * 0', timeZone: 'America/Toronto' });
 */
export const scheduleSchema = z
  .strictObject({
    cron: z
      .string()
      .describe('Five-field cron expression (minute hour day-of-month month day-of-week), read in `timeZone`.')
      .superRefine((value, ctx) => {
        const problem = cronProblem(value);
        if (problem) ctx.addIssue({ code: 'custom', message: `invalid cron expression: ${problem}` });
      }),
    timeZone: z
      .string()
      .describe('IANA time zone the cron expression is read in, e.g. "America/Toronto" or "UTC".')
      .refine(isTimeZone, { error: 'unknown time zone: use an IANA name such as "America/Toronto" or "UTC"' }),
  })
  .describe('Recurring runs: cron expression plus an explicit IANA time zone.');

const countOrDays = (what: string) =>
  z
    .strictObject({
      count: z.int().min(1).max(9_999_999).optional().describe(`Keep this many ${what} backups.`),
      days: z.int().min(1).max(9_999_999).optional().describe(`Keep ${what} backups for this many days.`),
    })
    .refine((value) => (value.count === undefined) !== (value.days === undefined), {
      error: `set exactly one of "count" or "days" for ${what} retention`,
    });

const retentionSchema = z
  .strictObject({
    full: countOrDays('full'),
    diff: countOrDays('differential').optional(),
    archive: z
      .strictObject({
        type: z.enum(['full', 'diff', 'incr']).describe('Backup type whose count bounds the WAL kept.'),
        count: z.int().min(1).max(9_999_999),
      })
      .optional()
      .describe('WAL kept for this many backups of `type` (default: as many as full retention).'),
  })
  .describe('Retention of this repository.');

const repoEncryptionSchema = z
  .strictObject({
    cipher: z.enum(['aes-256-cbc', 'none']),
    passphrase: secretRefSchema.optional(),
  })
  .describe('Encryption of this repository, overriding the policy-wide setting.');

const repoBase = {
  name: z.string().regex(REPO_NAME, { error: 'use lower-case letters, digits and "-" (at most 63 characters)' }),
  offsite: z.boolean().describe('Whether this repository is off-site (another site or region than production).'),
  retention: retentionSchema,
  encryption: repoEncryptionSchema.optional(),
};

const posixRepo = z.strictObject({
  ...repoBase,
  type: z.literal('posix'),
  path: absolutePath.describe('Repository path on the backup host.'),
});

const s3Repo = z.strictObject({
  ...repoBase,
  type: z.literal('s3'),
  bucket: z.string().min(3).max(63),
  region: z.string().min(1),
  endpoint: z.string().min(1).optional().describe('S3 endpoint host; default s3.<region>.amazonaws.com.'),
  port: z.int().min(1).max(65535).optional(),
  path: absolutePath.default('/pgbackrest').describe('Key prefix of the repository in the bucket.'),
  uriStyle: z.enum(['host', 'path']).optional(),
  verifyTls: z.boolean().optional(),
  credentials: z.discriminatedUnion(
    'type',
    [
      z.strictObject({ type: z.literal('shared'), accessKeyId: secretRefSchema, secretAccessKey: secretRefSchema }),
      z.strictObject({ type: z.literal('auto') }).describe('Instance or task role credentials.'),
      z
        .strictObject({ type: z.literal('web-id') })
        .describe('Web identity (e.g. Kubernetes service account) credentials.'),
    ],
    { error: 'set credentials.type to shared (with accessKeyId and secretAccessKey references), auto or web-id' },
  ),
});

const gcsRepo = z.strictObject({
  ...repoBase,
  type: z.literal('gcs'),
  bucket: z.string().min(3),
  path: absolutePath.default('/pgbackrest'),
  endpoint: z.string().min(1).optional(),
  credentials: z.discriminatedUnion(
    'type',
    [
      z.strictObject({ type: z.literal('service'), keyFile: absolutePath.describe('Service account key file.') }),
      z.strictObject({ type: z.literal('token'), token: secretRefSchema }),
      z.strictObject({ type: z.literal('auto') }),
    ],
    { error: 'set credentials.type to service (with keyFile), token (with a token reference) or auto' },
  ),
});

const azureRepo = z.strictObject({
  ...repoBase,
  type: z.literal('azure'),
  account: z.string().min(3).describe('Storage account name.'),
  container: z.string().min(3),
  path: absolutePath.default('/pgbackrest'),
  endpoint: z.string().min(1).optional(),
  keyType: z.enum(['shared', 'sas']).default('shared'),
  key: secretRefSchema.describe('Shared key or SAS token.'),
});

const sftpRepo = z.strictObject({
  ...repoBase,
  type: z.literal('sftp'),
  host: z.string().min(1),
  port: z.int().min(1).max(65535).optional(),
  user: z.string().min(1),
  path: absolutePath,
  privateKeyFile: absolutePath,
  publicKeyFile: absolutePath.optional(),
  privateKeyPassphrase: secretRefSchema.optional(),
  hostKeyHashType: z.enum(['md5', 'sha1', 'sha256']).default('sha256'),
});

/**
 * A repository: where backups and WAL are stored.
 *
 * @example
 * repositorySchema.parse({ name: 'local', type: 'posix', path: '/var/lib/pgbackrest', offsite: false, retention: { full: { count: 2 } } });
 */
export const repositorySchema = z.discriminatedUnion('type', [posixRepo, s3Repo, gcsRepo, azureRepo, sftpRepo], {
  error: 'set "type" to one of posix, s3, gcs, azure, sftp',
});

const PLAIN_NAME = /^[A-Za-z0-9_.@:%+][A-Za-z0-9_.@:%+-]*$/;
const plainName = (what: string) =>
  z.string().regex(PLAIN_NAME, { error: `write the ${what} as a plain name (letters, digits, _ . @ : % + -)` });
const ENV_VAR = /^[A-Z_][A-Z0-9_]*$/;

/**
 * Where pgBackRest runs relative to the scheduler that starts the compiled jobs: on the same host (`"host"`),
 * inside a running container reached with `docker exec`, or on another host reached with `ssh`.
 *
 * @example
 * runtimeSchema.parse({ docker: { container: 'chronos-db', user: 'postgres' } });
 */
export const runtimeSchema = z
  .union(
    [
      z.literal('host').describe('pgBackRest runs on the host the scheduler runs on.'),
      z
        .strictObject({
          docker: z.strictObject({
            container: plainName('container name').describe(
              'Name of the running container pgBackRest is installed in.',
            ),
            user: plainName('user').default('postgres').describe('User pgBackRest runs as inside the container.'),
          }),
        })
        .describe('pgBackRest runs inside a container: the jobs call `docker exec`.'),
      z
        .strictObject({
          ssh: z.strictObject({
            host: plainName('host').describe('Host pgBackRest runs on (key-based ssh, BatchMode=yes).'),
            user: plainName('user').optional().describe('ssh login user.'),
            port: z.int().min(1).max(65535).optional(),
          }),
        })
        .describe('pgBackRest runs on another host: the jobs call `ssh`; secrets travel on its stdin.'),
    ],
    { error: 'set runtime to "host", { "docker": { "container": … } } or { "ssh": { "host": … } }' },
  )
  .describe('Where pgBackRest runs relative to the scheduler.');

const jobsSchema = z
  .strictObject({
    logFile: absolutePath
      .optional()
      .describe(
        'File the compiled jobs append one timestamped line per event to; default /var/log/chronos-<stanza>.log.',
      ),
    onFailure: z
      .union(
        [
          z
            .strictObject({
              command: z
                .array(z.string().min(1))
                .min(1)
                .describe('argv of a command run on failure; the one-line summary is appended as its last argument.'),
            })
            .describe('Run a command on failure.'),
          z
            .strictObject({
              httpPost: z.strictObject({
                urlEnv: z
                  .string()
                  .regex(ENV_VAR, { error: 'name the environment variable that holds the URL (A-Z, 0-9, _)' })
                  .describe('Environment variable holding the URL (never the URL itself: it may carry a token).'),
              }),
            })
            .describe('POST the one-line summary (text/plain) to a URL taken from the environment.'),
        ],
        { error: 'set onFailure to { "command": [argv…] } or { "httpPost": { "urlEnv": "VAR" } }' },
      )
      .optional()
      .describe('Notification when a job fails: its one-line summary, never a secret.'),
  })
  .describe('Logging and failure notification of the compiled cron and systemd jobs.');

const drillCheckSchema = z
  .strictObject({
    name: z.string().min(1).optional(),
    sql: z.string().min(1).describe('A read-only query, run in a read-only transaction.'),
    database: z.string().min(1).optional(),
    expect: z
      .string()
      .regex(/^\s*(?:(?:count\s*)?>=\s*\d+|row|row-exists|true)\s*$/, {
        error: "use '>=N' (a count at least N), 'row' (a row exists) or 'true' (the query returns true)",
      })
      .describe("'>=N': one number at least N; 'row': at least one row; 'true': one value, true."),
  })
  .describe('One SQL check of the restore drill.');

const encryptionSchema = z
  .strictObject({
    cipher: z.enum(['aes-256-cbc', 'none']),
    passphrase: secretRefSchema.optional().describe('Where the repository passphrase lives (env var or file).'),
    requiredFor: z
      .enum(['all', 'offsite', 'none'])
      .default('all')
      .describe('Which repositories must be encrypted: all, off-site only, or none.'),
  })
  .describe('Encryption at rest of the repositories.');

/**
 * The zod schema of a backup policy document. Prefer {@link validatePolicy}, which adds the inline-secret check
 * and a typed error.
 *
 * @example
 * const result = policySchema.safeParse(document);
 */
export const policySchema = z
  .strictObject({
    $schema: z.string().optional(),
    version: z
      .literal(POLICY_VERSION, {
        error: `this SDK reads policy format version ${POLICY_VERSION}: set "version": ${POLICY_VERSION}`,
      })
      .describe('Policy format version.'),
    stanza: z.string().regex(STANZA, { error: 'use letters, digits, "_", "." and "-"' }),
    database: z.strictObject({
      path: absolutePath.describe('PostgreSQL data directory (pg1-path).'),
      port: z.int().min(1).max(65535).optional(),
      socketPath: absolutePath.optional(),
      user: z.string().min(1).optional(),
    }),
    repositories: z.array(repositorySchema).min(1).max(256),
    schedule: z.strictObject({
      full: scheduleSchema,
      diff: scheduleSchema.optional(),
      incr: scheduleSchema.optional(),
    }),
    encryption: encryptionSchema,
    compression: z
      .strictObject({
        type: z.enum(['gz', 'lz4', 'zst', 'bz2', 'none']),
        level: z.int().min(-5).max(22).optional(),
      })
      .optional()
      .describe('Compression of backups and WAL; omitted means the measured default.'),
    backup: z
      .strictObject({
        startFast: z.boolean().default(true).describe('Request an immediate checkpoint (start-fast=y).'),
        processMax: z.int().min(1).max(999).optional(),
      })
      .optional(),
    archiving: z.strictObject({
      mode: z.literal('continuous').describe('WAL is archived continuously through archive_command.'),
      async: z.boolean(),
      spoolPath: absolutePath.optional(),
      pushQueueMax: size
        .optional()
        .describe('Most WAL queued for push before PostgreSQL drops it (archive-push-queue-max).'),
      getQueueMax: size.optional(),
      timeout: duration.optional().describe('archive-timeout.'),
      processMax: z.int().min(1).max(999).optional(),
    }),
    objectives: z
      .strictObject({
        maxBackupAge: z
          .strictObject({ full: duration.optional(), diff: duration.optional(), incr: duration.optional() })
          .optional(),
        maxArchiveLag: duration.optional(),
        minRecoveryWindow: duration.optional(),
        maxDrillAge: duration
          .optional()
          .describe('Longest time since the newest restore drill that proved the backup (from its report or metrics).'),
        maxVerificationAge: duration
          .optional()
          .describe(
            'Longest time since the newest deep verification of the repository (verify-s3 or verify-repo report), for the exporter and its alert rules.',
          ),
      })
      .default({}),
    redundancy: z
      .strictObject({
        copies: z.int().min(1).describe('Copies of the data, production included when countProduction is true.'),
        storageKinds: z.int().min(1).describe('Distinct repository storage kinds (posix, s3, gcs, azure, sftp).'),
        offsiteCopies: z.int().min(0),
        countProduction: z.boolean().default(true),
      })
      .optional()
      .describe('The 3-2-1 rule: copies, distinct storage kinds, off-site copies.'),
    runtime: runtimeSchema.default('host'),
    jobs: jobsSchema.default({}),
    restoreDrill: z
      .strictObject({
        ...scheduleSchema.shape,
        repository: z.string().describe('Name of the repository the drill restores from.'),
        path: absolutePath.describe(
          "The drill's scratch directory (empty or a previous drill's; never the data directory); removed after each drill.",
        ),
        checks: z
          .array(drillCheckSchema)
          .default([])
          .describe('Read-only SQL the restored cluster must satisfy (pg_amcheck runs besides, where shipped).'),
        image: z
          .string()
          .regex(/^[A-Za-z0-9][A-Za-z0-9_.:/@-]*$/, { error: 'an image name, e.g. chronos-pg:15-2.45' })
          .optional()
          .describe(
            "With the docker runtime: the production container's image; the drill runs in a throwaway container from it.",
          ),
        metricsFile: absolutePath
          .optional()
          .describe(
            'Prometheus textfile the drill writes its gauges to (chronos_drill_*); evaluatePolicy reads it back.',
          ),
      })
      .optional()
      .describe('A scheduled restore drill: `chronos drill` restores, starts, checks and removes a throwaway cluster.'),
  })
  .superRefine((policy, ctx) => {
    const names = new Map<string, number>();
    policy.repositories.forEach((repo, index) => {
      if (names.has(repo.name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['repositories', index, 'name'],
          message: `repository name "${repo.name}" is used twice: names must be unique`,
        });
      }
      names.set(repo.name, index);
      const cipher = repo.encryption?.cipher ?? policy.encryption.cipher;
      const passphrase = repo.encryption?.passphrase ?? policy.encryption.passphrase;
      if (cipher !== 'none' && passphrase === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['repositories', index, 'encryption'],
          message: 'cipher aes-256-cbc needs a passphrase reference: set encryption.passphrase',
        });
      }
      const required =
        policy.encryption.requiredFor === 'all' || (policy.encryption.requiredFor === 'offsite' && repo.offsite);
      if (required && cipher === 'none') {
        ctx.addIssue({
          code: 'custom',
          path: ['repositories', index, 'encryption'],
          message: `encryption is required for ${policy.encryption.requiredFor === 'all' ? 'every' : 'every off-site'} repository: set cipher aes-256-cbc`,
        });
      }
    });
    if (policy.restoreDrill && !names.has(policy.restoreDrill.repository)) {
      ctx.addIssue({
        code: 'custom',
        path: ['restoreDrill', 'repository'],
        message: `no repository named "${policy.restoreDrill.repository}": use one of ${[...names.keys()].join(', ')}`,
      });
    }
    if (policy.redundancy) {
      const { copies, storageKinds, offsiteCopies, countProduction } = policy.redundancy;
      const declaredCopies = policy.repositories.length + (countProduction ? 1 : 0);
      const kinds = new Set(policy.repositories.map((repo) => repo.type)).size;
      const offsite = policy.repositories.filter((repo) => repo.offsite).length;
      if (declaredCopies < copies) {
        ctx.addIssue({
          code: 'custom',
          path: ['redundancy', 'copies'],
          message: `${copies} copies required but the repositories give ${declaredCopies}: add ${copies - declaredCopies} repository(ies)`,
        });
      }
      if (kinds < storageKinds) {
        ctx.addIssue({
          code: 'custom',
          path: ['redundancy', 'storageKinds'],
          message: `${storageKinds} storage kinds required but the repositories use ${kinds}: add a repository of another type`,
        });
      }
      if (offsite < offsiteCopies) {
        ctx.addIssue({
          code: 'custom',
          path: ['redundancy', 'offsiteCopies'],
          message: `${offsiteCopies} off-site copies required but ${offsite} repository(ies) are off-site: mark or add an off-site repository`,
        });
      }
    }
  });

/** A validated backup policy (defaults applied). */
export type Policy = z.output<typeof policySchema>;

/** A backup policy as written (before defaults). */
export type PolicyInput = z.input<typeof policySchema>;

/** One repository of a {@link Policy}. */
export type PolicyRepository = Policy['repositories'][number];

/** A recurring schedule of a {@link Policy}. */
export type PolicySchedule = z.output<typeof scheduleSchema>;

/** Where pgBackRest runs relative to the scheduler (see {@link runtimeSchema}). */
export type PolicyRuntime = z.output<typeof runtimeSchema>;

/** Backup types a policy schedules. */
export type ScheduledBackupType = 'full' | 'diff' | 'incr';
