import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

const OBJECT_SUFFIX = '._S3rver_object';
const INSTALLED = Symbol.for('chronos.s3rver.listing');

/** Where a listing resumes: after `after`, and past every key under it when it is a rolled-up prefix. */
export interface ListingPosition {
  readonly after: string;
  readonly skipPrefix: boolean;
}

/** One page of a bucket listing, in S3's order. */
export interface ListingPage {
  readonly keys: readonly string[];
  readonly prefixes: readonly string[];
  readonly truncated: boolean;
  /** Where the next page starts when `truncated`. */
  readonly next?: ListingPosition;
}

export interface ListingRequest extends ListingPosition {
  readonly prefix: string;
  readonly delimiter: string;
  readonly maxKeys: number;
}

async function objectKeys(directory: string, keyPath: string, prefix: string, into: string[]): Promise<void> {
  const entries = await readdir(directory, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  for (const entry of entries) {
    if (entry.isDirectory()) {
      const folder = `${keyPath}${entry.name}/`;
      if (folder.startsWith(prefix) || prefix.startsWith(folder)) {
        await objectKeys(join(directory, entry.name), folder, prefix, into);
      }
    } else if (entry.name.endsWith(OBJECT_SUFFIX)) {
      const key = keyPath + entry.name.slice(0, -OBJECT_SUFFIX.length);
      if (key.startsWith(prefix)) into.push(key);
    }
  }
}

/**
 * Lists one page of s3rver's filesystem store the way S3 does: keys in binary order, keys that hold
 * the delimiter after the prefix rolled up into one common prefix each (also a folder that holds
 * only folders), prefixes and keys counted together against `maxKeys`.
 *
 * @example
 * await listBucketPage('/tmp/s3/bucket', { prefix: 'archive/', delimiter: '/', after: '', skipPrefix: false, maxKeys: 1000 });
 */
export async function listBucketPage(bucketPath: string, request: ListingRequest): Promise<ListingPage> {
  const all: string[] = [];
  await objectKeys(bucketPath, '', request.prefix, all);
  // Code-unit order: S3's UTF-8 byte order for every key outside the astral planes.
  all.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const keys: string[] = [];
  const prefixes: string[] = [];
  let last: ListingPosition | undefined;
  for (const key of all) {
    if (key <= request.after || (request.skipPrefix && key.startsWith(request.after))) continue;
    const at = request.delimiter === '' ? -1 : key.indexOf(request.delimiter, request.prefix.length);
    const entry: ListingPosition =
      at === -1
        ? { after: key, skipPrefix: false }
        : { after: key.slice(0, at + request.delimiter.length), skipPrefix: true };
    if (entry.skipPrefix && last?.after === entry.after) continue;
    if (keys.length + prefixes.length >= request.maxKeys) return { keys, prefixes, truncated: true, next: last! };
    (entry.skipPrefix ? prefixes : keys).push(entry.after);
    last = entry;
  }
  return { keys, prefixes, truncated: false };
}

export function encodeContinuationToken(position: ListingPosition): string {
  return Buffer.from(JSON.stringify([position.after, position.skipPrefix])).toString('base64');
}

export function decodeContinuationToken(token: string): ListingPosition | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
    if (Array.isArray(value) && typeof value[0] === 'string' && typeof value[1] === 'boolean') {
      return { after: value[0], skipPrefix: value[1] };
    }
  } catch {}
  return undefined;
}

interface KoaContext {
  query: Record<string, string | undefined>;
  params: { bucket: string };
  store: S3rverStore;
  body: { ListBucketResult?: Record<string, unknown> } | undefined;
}
interface S3rverStore {
  getBucketPath(bucket: string): string;
  getMetadata(bucket: string, key: string): Promise<Record<string, unknown>>;
}
interface BucketController {
  getBucket(ctx: KoaContext): Promise<void>;
  [INSTALLED]?: true;
}
type S3ObjectConstructor = new (bucket: string, key: string, content: null, metadata: unknown) => unknown;
type S3ErrorConstructor = new (code: string, message: string, detail: Record<string, string>) => Error;

async function loadCommonJs<T>(specifier: string): Promise<T> {
  const module = (await import(specifier)) as { default?: T };
  return (module.default ?? module) as T;
}

/**
 * Makes s3rver 3.x list buckets correctly in this process: its continuation tokens use DES, which
 * OpenSSL 3 (Node 18+) no longer enables, so every listing of more than 1,000 keys fails with HTTP
 * 500; and with a delimiter its filesystem store drops a folder that holds only folders. Bucket
 * listings (V1 and V2) are answered from {@link listBucketPage} with plain continuation tokens;
 * everything else stays s3rver's. Safe to call more than once.
 */
export async function fixS3rverListing(): Promise<void> {
  const specifiers = ['s3rver/lib/controllers/bucket.js', 's3rver/lib/models/object.js', 's3rver/lib/models/error.js'];
  const [controller, S3Object, S3Error] = await Promise.all([
    loadCommonJs<BucketController>(specifiers[0]!),
    loadCommonJs<S3ObjectConstructor>(specifiers[1]!),
    loadCommonJs<S3ErrorConstructor>(specifiers[2]!),
  ]);
  if (controller[INSTALLED]) return;
  const original = controller.getBucket;
  controller.getBucket = async function getBucket(ctx: KoaContext) {
    const v2 = ctx.query['list-type'] === '2';
    const token = v2 ? ctx.query['continuation-token'] : undefined;
    const delimiter = ctx.query['delimiter'] ?? '';
    let position: ListingPosition;
    if (token) {
      const decoded = decodeContinuationToken(token);
      if (!decoded) {
        throw new S3Error('InvalidArgument', 'The continuation token provided is incorrect', {
          ArgumentName: 'continuation-token',
        });
      }
      position = decoded;
      const { 'continuation-token': _, ...rest } = ctx.query;
      ctx.query = rest;
    } else if (v2) {
      position = { after: ctx.query['start-after'] ?? '', skipPrefix: false };
    } else {
      const marker = ctx.query['marker'] ?? '';
      position = { after: marker, skipPrefix: delimiter !== '' && marker.endsWith(delimiter) };
    }
    const store = ctx.store;
    let page: ListingPage | undefined;
    ctx.store = Object.create(store, {
      listObjects: {
        value: async (bucket: string, options: { prefix?: string; maxKeys: number }) => {
          page = await listBucketPage(store.getBucketPath(bucket), {
            ...position,
            prefix: options.prefix ?? '',
            delimiter,
            maxKeys: options.maxKeys,
          });
          const found = await Promise.all(
            page.keys.map((key) =>
              store.getMetadata(bucket, key).then(
                (metadata) => new S3Object(bucket, key, null, metadata),
                (error: NodeJS.ErrnoException) => {
                  if (error.code === 'ENOENT') return undefined;
                  throw error;
                },
              ),
            ),
          );
          return { objects: found.filter((o) => o !== undefined), commonPrefixes: page.prefixes, isTruncated: false };
        },
      },
    }) as S3rverStore;
    try {
      await original(ctx);
    } finally {
      ctx.store = store;
    }
    const result = ctx.body?.ListBucketResult;
    if (!result || !page) return;
    if (v2) {
      result['ContinuationToken'] = token;
      result['KeyCount'] = page.keys.length + page.prefixes.length;
    }
    if (page.truncated && page.next) {
      result['IsTruncated'] = true;
      if (v2) result['NextContinuationToken'] = encodeContinuationToken(page.next);
      else if (delimiter !== '') result['NextMarker'] = page.next.after;
    }
  };
  controller[INSTALLED] = true;
}
