import type { S3Client } from '@aws-sdk/client-s3';
import type { PassphraseSource } from './passphrase.js';
import type { VerifyProgress } from './progress.js';

/** Default price: S3 Standard in ca-central-1, USD per GiB-month. */
export const DEFAULT_PRICE_PER_GIB_MONTH = 0.025;
/** How the default price was chosen, as stated in reports. */
export const DEFAULT_PRICE_ASSUMPTION =
  'S3 Standard, ca-central-1, USD 0.025 per GB-month (GB = 2^30 bytes), storage only';

/** What deep verification proves of a backup file that has a stored checksum: see {@link CommonVerifyOptions.deepProof}. */
export type DeepProof = 'content' | 'stored';

/** What to check and how, whatever storage holds the repository. */
export interface CommonVerifyOptions {
  /** Stanzas to check; default: every stanza found under `archive/` and `backup/`. */
  readonly stanzas?: readonly string[];
  /** The repository cipher passphrase (`repo-cipher-pass`), for encrypted repositories. */
  readonly cipherPassphrase?: PassphraseSource;
  /** WAL segment size in bytes when known; otherwise read from a segment header or inferred. */
  readonly walSegmentSize?: number;
  /**
   * A missing segment is "in flight" (still uploading), not missing, only when it lies within this many
   * segments of the newest archived segment of the newest timeline and the segment after it was written
   * within {@link CommonVerifyOptions.gracePeriodSeconds}. Default 8 (pgBackRest's asynchronous
   * archive-push pushes up to `process-max` segments at once).
   */
  readonly inFlightSegments?: number;
  /** See {@link CommonVerifyOptions.inFlightSegments}. Default 600. */
  readonly gracePeriodSeconds?: number;
  /** Listings and reads running at once (deep mode: also its decoding worker threads, at most one per core). Default 8. */
  readonly concurrency?: number;
  /** Objects per stanza whose first bytes are read to check encryption. Default 16. */
  readonly encryptionSampleSize?: number;
  /**
   * Deep verification: read every file of every backup (decrypt, decompress, size and SHA-1 against
   * its manifest) and every WAL segment (SHA-1 against its name, size, page header). Default false.
   */
  readonly deep?: boolean;
  /**
   * What deep verification proves of a backup file whose manifest records the SHA-1 of its stored bytes
   * (`rck`, written by pgBackRest 2.4x and later): `'content'` (default) decrypts and decompresses it and checks
   * the content's size and SHA-1; `'stored'` hashes the stored bytes only and compares them with that checksum,
   * which is what `pgbackrest verify` does for such files. `'stored'` reads the same bytes but decodes none of
   * them, so it is several times faster on compressible data; it proves the bytes are those pgBackRest wrote,
   * not that they decrypt and decompress. WAL segments and files without a stored checksum are always decoded.
   *
   * @example
   * await verifyRepository({ path: '/var/lib/pgbackrest', deep: true, deepProof: 'stored' });
   */
  readonly deepProof?: DeepProof;
  /**
   * Read the WAL records of the newest archived segments and report the last commit and checkpoint they
   * hold (`newestRestorableInstant` in each stanza's report). Default: the value of `deep`.
   */
  readonly newestInstant?: boolean;
  /** Stops the verification; the report then says what was checked. */
  readonly signal?: AbortSignal;
  /** Called as deep verification reads each object: objects and bytes so far, totals, rate, ETA (see `describeProgress`). */
  readonly onProgress?: ((progress: VerifyProgress) => void) | undefined;
  /** Storage price per GiB-month; default {@link DEFAULT_PRICE_PER_GIB_MONTH}. */
  readonly pricePerGibMonth?: number;
  readonly currency?: string;
  /** The clock, for the grace period. Default: now. */
  readonly now?: Date;
}

/** A repository in a local directory (`repo-type=posix`). */
export interface PosixVerifyOptions extends CommonVerifyOptions {
  /** The repository directory (pgBackRest's `repo-path`), e.g. `/var/lib/pgbackrest`. */
  readonly path: string;
}

/** A repository in an S3 bucket: what to verify and how. */
export interface VerifyOptions extends CommonVerifyOptions {
  readonly bucket: string;
  readonly region: string;
  /** `https://host:port` for S3-compatible services; omitted for AWS S3. */
  readonly endpoint?: string;
  /** Path-style addressing (`endpoint/bucket/key`). Default: true when `endpoint` is set. */
  readonly forcePathStyle?: boolean;
  /** Extra CA certificate (PEM) to trust, or `verify: false` to skip certificate checks (tests only). */
  readonly tls?: { readonly caCert?: string | Buffer; readonly verify?: boolean };
  /** Explicit credentials; default: the AWS SDK default chain (env, profile, instance role…). */
  readonly credentials?: {
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
    readonly sessionToken?: string;
  };
  /** pgBackRest `repo-path`; default `/`. */
  readonly repoPath?: string;
  /** Per-request timeout in milliseconds. Default 30000. */
  readonly timeoutMs?: number;
  /** Attempts per request (the SDK retries). Default 3. */
  readonly maxAttempts?: number;
  /** A ready client (then endpoint, tls, credentials, timeouts are not used). */
  readonly client?: S3Client;
}

/**
 * The S3 key prefix of a pgBackRest `repo-path`: `/` → ``, `/backups/pg` → `backups/pg/`.
 *
 * @example
 * repoKeyPrefix('/chronos'); // 'chronos/'
 */
export function repoKeyPrefix(repoPath: string | undefined): string {
  const trimmed = (repoPath ?? '/').replace(/^\/+|\/+$/g, '');
  return trimmed === '' ? '' : `${trimmed}/`;
}
