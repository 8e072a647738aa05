import {
  GetBucketEncryptionCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  GetObjectLockConfigurationCommand,
  ListObjectsV2Command,
  type S3Client,
} from '@aws-sdk/client-s3';
import { classifyS3Error } from './access-error.js';
import type { BucketSettings } from './report.js';

/** One listed object: only what verification needs. */
export interface ListedObject {
  readonly key: string;
  readonly size: number;
  /** LastModified in ms since epoch (0 when the service gave none). */
  readonly modified: number;
}

/** An object as the SDK lists it (no copy is made on the hot path). */
export interface RawListedObject {
  readonly Key?: string | undefined;
  readonly Size?: number | undefined;
  readonly LastModified?: Date | undefined;
}

/** One page of a listing. */
export interface ListingPage {
  readonly objects: readonly ListedObject[];
  readonly prefixes: readonly string[];
}

/**
 * Read-only access to one bucket; every failure becomes a typed {@link S3AccessError}.
 *
 * @example
 * const bucket = new BucketReader(client, 'backups', 'ca-central-1');
 * for await (const page of bucket.list('archive/main/', '/')) console.log(page.prefixes);
 */
export class BucketReader {
  constructor(
    readonly client: S3Client,
    readonly bucket: string,
    readonly region: string,
  ) {}

  private fail(error: unknown): never {
    throw classifyS3Error(error, { bucket: this.bucket, region: this.region });
  }

  /** Pages of a ListObjectsV2 listing, following continuation tokens. */
  async *list(prefix: string, delimiter?: string, maxKeys?: number): AsyncGenerator<ListingPage> {
    let token: string | undefined;
    do {
      const page = await this.client
        .send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: prefix,
            ...(delimiter !== undefined ? { Delimiter: delimiter } : {}),
            ...(token !== undefined ? { ContinuationToken: token } : {}),
            ...(maxKeys !== undefined ? { MaxKeys: maxKeys } : {}),
          }),
        )
        .catch((error: unknown) => this.fail(error));
      const objects: ListedObject[] = (page.Contents ?? []).map((o) => ({
        key: o.Key ?? '',
        size: o.Size ?? 0,
        modified: o.LastModified?.getTime() ?? 0,
      }));
      yield { objects, prefixes: (page.CommonPrefixes ?? []).map((p) => p.Prefix ?? '') };
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
      if (maxKeys !== undefined) return;
    } while (token !== undefined);
  }

  /**
   * Pages of a flat listing of `prefix` starting after the key `startAfter`, as the SDK returns
   * them: for streaming over very many objects without per-object copies.
   */
  async *listContents(prefix: string, startAfter?: string): AsyncGenerator<readonly RawListedObject[]> {
    let token: string | undefined;
    do {
      const page = await this.client
        .send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: prefix,
            ...(token !== undefined ? { ContinuationToken: token } : {}),
            ...(token === undefined && startAfter !== undefined ? { StartAfter: startAfter } : {}),
          }),
        )
        .catch((error: unknown) => this.fail(error));
      yield page.Contents ?? [];
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
  }

  /** Sub-folders and objects directly under `prefix`. */
  async listFolder(prefix: string): Promise<{ prefixes: string[]; objects: ListedObject[] }> {
    const prefixes: string[] = [];
    const objects: ListedObject[] = [];
    for await (const page of this.list(prefix, '/')) {
      prefixes.push(...page.prefixes);
      objects.push(...page.objects);
    }
    return { prefixes, objects };
  }

  /** The object's bytes (or the byte range `start`..`end` inclusive); `undefined` when it does not exist. */
  async get(key: string, range?: { start: number; end: number }): Promise<Buffer | undefined> {
    try {
      const response = await this.client.send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: key,
          ...(range !== undefined ? { Range: `bytes=${range.start}-${range.end}` } : {}),
        }),
      );
      const body = await response.Body?.transformToByteArray();
      return Buffer.from(body ?? new Uint8Array());
    } catch (error) {
      const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
      if (e.name === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404) return undefined;
      if (e.$metadata?.httpStatusCode === 416) return Buffer.alloc(0);
      return this.fail(error);
    }
  }

  /** Versioning, object lock and default encryption; what the service will not say is `unknown`. */
  async settings(): Promise<BucketSettings> {
    const unknownReasons: Record<string, string> = {};
    const ask = async <T>(name: string, run: () => Promise<T>): Promise<T | undefined> => {
      try {
        return await run();
      } catch (error) {
        const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
        if (e.name === 'ObjectLockConfigurationNotFoundError') return undefined;
        if (e.name === 'ServerSideEncryptionConfigurationNotFoundError') return undefined;
        unknownReasons[name] = e.name ?? `HTTP ${e.$metadata?.httpStatusCode ?? '?'}`;
        return undefined;
      }
    };
    const Bucket = this.bucket;
    const [versioning, lock, encryption] = await Promise.all([
      ask('versioning', () => this.client.send(new GetBucketVersioningCommand({ Bucket }))),
      ask('objectLock', () => this.client.send(new GetObjectLockConfigurationCommand({ Bucket }))),
      ask('encryption', () => this.client.send(new GetBucketEncryptionCommand({ Bucket }))),
    ]);
    const algorithm =
      encryption?.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm;
    return {
      versioning:
        'versioning' in unknownReasons
          ? 'unknown'
          : versioning?.Status === 'Enabled'
            ? 'enabled'
            : versioning?.Status === 'Suspended'
              ? 'suspended'
              : 'disabled',
      objectLock:
        'objectLock' in unknownReasons
          ? 'unknown'
          : lock?.ObjectLockConfiguration?.ObjectLockEnabled === 'Enabled'
            ? 'enabled'
            : 'disabled',
      encryption:
        'encryption' in unknownReasons
          ? { state: 'unknown' }
          : algorithm !== undefined
            ? { state: 'enabled', algorithm }
            : { state: 'disabled' },
      unknownReasons,
    };
  }
}
