/**
 * Compression a compiled policy uses when the policy sets none. Chosen from measurements on the
 * reference machine (bench/): backing up to an S3 repository, gz beat zst (zst was slower there:
 * many small files and allocator page faults) and lz4 was fastest but compressed about half as well.
 * Benchmarks update this constant; `compress-type` is a global pgBackRest option, so one value serves
 * every repository.
 *
 * @example
 * const type = policy.compression?.type ?? DEFAULT_COMPRESSION.type;
 */
export const DEFAULT_COMPRESSION: { readonly type: 'gz' | 'lz4' | 'zst' | 'bz2' | 'none'; readonly level?: number } = {
  type: 'gz',
};

/**
 * Whether backups request an immediate checkpoint (`start-fast=y`) unless the policy says otherwise.
 * Measured: with start-fast=n a backup waits for the next scheduled checkpoint, and pgBackRest before
 * 2.54 notices it late (minutes on a busy database).
 *
 * @example
 * const startFast = policy.backup?.startFast ?? RECOMMENDED_START_FAST;
 */
export const RECOMMENDED_START_FAST = true;

/**
 * pgBackRest version a policy compiles for when none is given (Debian 12's package).
 *
 * @example
 * compilePolicy(policy).pgbackrestVersion === DEFAULT_PGBACKREST_VERSION; // true
 */
export const DEFAULT_PGBACKREST_VERSION = '2.45';
