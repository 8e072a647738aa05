import type { Readable } from 'node:stream';
import type { BucketSettings } from './report.js';

/** One listed object: only what verification needs. */
export interface ListedObject {
  /** The key relative to the storage root (an S3 key, or a path under the repository directory). */
  readonly key: string;
  readonly size: number;
  /** Last modification in ms since epoch (0 when the storage gave none). */
  readonly modified: number;
}

/** One page of a listing. */
export interface ListingPage {
  readonly objects: readonly ListedObject[];
  /** With a delimiter: the "folders" right below the prefix, each ending in the delimiter. */
  readonly prefixes: readonly string[];
}

/** How to list: S3 ListObjectsV2 semantics (keys in byte order). */
export interface ListOptions {
  /** Group keys below the prefix into folders at this character (only `/` is supported by every storage). */
  readonly delimiter?: string;
  /** List only keys after this one. */
  readonly startAfter?: string;
  /** Stop after one page of at most this many entries. */
  readonly maxKeys?: number;
}

/** An inclusive byte range. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/**
 * The reads verification needs from a repository, whatever holds it: an S3 bucket ({@link BucketReader})
 * or a local directory ({@link PosixStorage}). Every failure to reach the storage is a typed
 * {@link RepositoryAccessError}; a missing object is `undefined`, never an error.
 *
 * @example
 * for await (const page of storage.list('archive/main/', { delimiter: '/' })) console.log(page.prefixes);
 * const info = await storage.get('archive/main/archive.info');
 */
export interface RepositoryStorage {
  /** Pages of a listing of `prefix`, keys in byte order. */
  list(prefix: string, options?: ListOptions): AsyncGenerator<ListingPage>;
  /** The whole object, or the bytes of `range`; `undefined` when it does not exist. */
  get(key: string, range?: ByteRange): Promise<Buffer | undefined>;
  /** The object (or `range` of it) as a stream, for objects too large to hold; `undefined` when it does not exist. */
  stream(key: string, range?: ByteRange, signal?: AbortSignal): Promise<Readable | undefined>;
  /** Size and modification time; `undefined` when it does not exist. */
  stat(key: string): Promise<ListedObject | undefined>;
  /** Bucket settings (versioning, object lock, encryption); `null` for storage that has none. */
  settings(): Promise<BucketSettings | null>;
}

/**
 * Sub-folders and objects directly under `prefix`.
 *
 * @example
 * const { prefixes } = await listFolder(storage, 'backup/main/');
 */
export async function listFolder(
  storage: RepositoryStorage,
  prefix: string,
): Promise<{ prefixes: string[]; objects: ListedObject[] }> {
  const prefixes: string[] = [];
  const objects: ListedObject[] = [];
  for await (const page of storage.list(prefix, { delimiter: '/' })) {
    prefixes.push(...page.prefixes);
    objects.push(...page.objects);
  }
  return { prefixes, objects };
}
