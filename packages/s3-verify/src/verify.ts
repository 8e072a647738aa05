import { availableParallelism } from 'node:os';
import { RepositoryAccessError } from './access-error.js';
import { BucketReader } from './bucket.js';
import { withCostEstimate } from './cost.js';
import { DecodePool } from './decode-pool.js';
import {
  DEFAULT_PRICE_ASSUMPTION,
  DEFAULT_PRICE_PER_GIB_MONTH,
  type PosixVerifyOptions,
  repoKeyPrefix,
  type VerifyOptions,
} from './options.js';
import { ownSignal } from './own-signal.js';
import { loadPassphrase } from './passphrase.js';
import { PosixStorage } from './posix-storage.js';
import { ProgressTracker } from './progress.js';
import {
  type BucketSettings,
  decideOutcome,
  type Finding,
  REPORT_SCHEMA_VERSION,
  type StanzaReport,
  type VerifyReport,
} from './report.js';
import { createS3Client } from './s3-client.js';
import { verifyStanza } from './stanza-verifier.js';
import { listFolder, type RepositoryStorage } from './storage.js';

const GIB = 1024 ** 3;

/**
 * Verifies a pgBackRest repository without pgBackRest, in an S3 bucket (`bucket`, `region`…) or a
 * local directory (`path`): reachability, info files and their copies (decrypted when a passphrase is
 * given), backups and manifests, WAL continuity across timelines, encryption of sampled objects,
 * bucket settings, size and monthly cost. Never throws for what it finds: unreachable storage,
 * wrong passphrases and damage all land in the report.
 *
 * @example
 * const report = await verifyRepository({
 *   bucket: 'pg-backups', region: 'ca-central-1', repoPath: '/pgbackrest',
 *   cipherPassphrase: { env: 'PGBACKREST_REPO1_CIPHER_PASS' },
 * });
 * const local = await verifyRepository({ path: '/var/lib/pgbackrest' });
 * console.log(summarizeReport(report));
 * process.exitCode = exitCodeFor(report);
 */
export async function verifyRepository(options: VerifyOptions | PosixVerifyOptions): Promise<VerifyReport> {
  if (options.signal === undefined) return verifyWith(options);
  const own = ownSignal(options.signal);
  try {
    return await verifyWith({ ...options, signal: own.signal });
  } finally {
    own.release();
  }
}

async function verifyWith(options: VerifyOptions | PosixVerifyOptions): Promise<VerifyReport> {
  if ('path' in options) {
    return run(options, new PosixStorage(options.path), '', { storage: 'posix', path: options.path });
  }
  const client = options.client ?? (await createS3Client(options));
  try {
    return await run(
      options,
      new BucketReader(client, options.bucket, options.region, options.signal),
      repoKeyPrefix(options.repoPath),
      {
        storage: 's3',
        bucket: options.bucket,
        region: options.region,
        endpoint: options.endpoint ?? null,
        repoPath: options.repoPath ?? '/',
      },
    );
  } finally {
    if (options.client === undefined) client.destroy();
  }
}

async function run(
  options: VerifyOptions | PosixVerifyOptions,
  bucket: RepositoryStorage,
  prefix: string,
  target: VerifyReport['target'],
): Promise<VerifyReport> {
  const price = options.pricePerGibMonth ?? DEFAULT_PRICE_PER_GIB_MONTH;
  const concurrency = options.concurrency ?? 8;
  const sampleSize = options.encryptionSampleSize ?? 16;
  const graceSeconds = options.gracePeriodSeconds ?? 600;
  const inFlightSegments = options.inFlightSegments ?? 8;
  const deep = options.deep ?? false;
  const deepProof = options.deepProof ?? 'content';
  const findings: Finding[] = [];
  const stanzas: StanzaReport[] = [];
  const progress = deep && options.onProgress !== undefined ? new ProgressTracker(options.onProgress) : undefined;
  let access: VerifyReport['access'] = { ok: true };
  let settings: BucketSettings | null = null;
  // One decoding thread per object read at once, but no more than the machine has cores.
  const pool = deep ? new DecodePool(Math.min(concurrency, availableParallelism())) : undefined;

  try {
    const passphrase =
      options.cipherPassphrase === undefined ? undefined : await loadPassphrase(options.cipherPassphrase);
    for await (const _ of bucket.list(prefix, { delimiter: '/', maxKeys: 1 })) break;
    settings = await bucket.settings();
    const names = options.stanzas ?? (await discoverStanzas(bucket, prefix));
    for (const stanza of names) {
      const result = await verifyStanza(bucket, stanza, {
        prefix,
        passphrase,
        walSegmentSize: options.walSegmentSize,
        graceMs: graceSeconds * 1000,
        inFlightSegments,
        deep,
        deepProof,
        newestInstant: options.newestInstant ?? deep,
        signal: options.signal,
        progress,
        now: (options.now ?? new Date()).getTime(),
        concurrency,
        pool,
        sampleSize,
        pricePerGibMonth: price,
      });
      stanzas.push(result.report);
      findings.push(...result.findings);
    }
    if (names.length === 0) {
      findings.push({
        code: 'stanza-not-found',
        severity: 'error',
        message: `no stanza found under ${prefix}archive/ or ${prefix}backup/: check repoPath`,
      });
    }
  } catch (error) {
    if (error instanceof RepositoryAccessError) {
      access = {
        ok: false,
        code: error.code,
        message: error.message,
        ...('expectedRegion' in error && typeof error.expectedRegion === 'string'
          ? { expectedRegion: error.expectedRegion }
          : {}),
      };
    } else throw error;
  } finally {
    await pool?.close();
  }

  const bytes = stanzas.reduce((sum, s) => sum + s.bytes, 0);
  const noStanza = access.ok && stanzas.length === 0;
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    generatedAt: new Date().toISOString(),
    target,
    outcome: noStanza ? 'unverified' : decideOutcome(access.ok, stanzas, findings),
    access,
    bucket: settings,
    stanzas: target.storage === 's3' ? stanzas.map((s) => withCostEstimate(s, target.region, deep)) : stanzas,
    findings,
    cost: {
      pricePerGibMonth: price,
      currency: options.currency ?? 'USD',
      assumption:
        options.pricePerGibMonth === undefined
          ? DEFAULT_PRICE_ASSUMPTION
          : `given price ${price} per GB-month (GB = 2^30 bytes), storage only`,
      bytes,
      monthly: (bytes / GIB) * price,
    },
    settings: {
      gracePeriodSeconds: graceSeconds,
      inFlightSegments,
      deep,
      deepProof: deep ? deepProof : null,
      concurrency,
      encryptionSampleSize: sampleSize,
    },
  };
}

async function discoverStanzas(bucket: RepositoryStorage, prefix: string): Promise<string[]> {
  const names = new Set<string>();
  for (const root of ['archive/', 'backup/']) {
    const { prefixes } = await listFolder(bucket, `${prefix}${root}`);
    for (const p of prefixes) names.add(p.slice(prefix.length + root.length, -1));
  }
  return [...names].sort();
}
