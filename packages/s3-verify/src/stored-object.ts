import { setTimeout as sleep } from 'node:timers/promises';
import { RepositoryAccessError } from './access-error.js';
import { DecodePool } from './decode-pool.js';
import { WHOLE_OBJECT_BYTES } from './decode-worker.js';
import {
  type DecodedObject,
  decodeObject,
  loadCodec,
  ObjectDecodeError,
  type StoredEncoding,
} from './object-decoder.js';
import { localPath, PosixStorage } from './posix-storage.js';
import type { AccessErrorCode } from './report.js';
import type { ByteRange, RepositoryStorage } from './storage.js';

/** How often and how patiently a read cut off by the network is started again. */
export interface ReadRetry {
  /** Reads in all, the first included. Default 4. */
  readonly attempts: number;
  /** Wait before the second read, doubled before each further one, in milliseconds. Default 200. */
  readonly backoffMs: number;
}

/** Four reads, 200 ms then 400 ms then 800 ms apart. */
export const DEFAULT_READ_RETRY: ReadRetry = { attempts: 4, backoffMs: 200 };

/** An object that could not be read to its end, even after starting over: the connection kept failing. */
export class ObjectReadError extends RepositoryAccessError {
  override readonly name = 'ObjectReadError';
  constructor(
    /** The key (or path below the repository) of the object. */
    readonly key: string,
    /** How many times it was read from the start. */
    readonly attempts: number,
    code: AccessErrorCode,
    detail: string,
    options?: ErrorOptions,
  ) {
    super(
      code,
      `cannot read ${key} (${detail}; ${attempts} attempt${attempts === 1 ? '' : 's'}): check the endpoint and the network, then verify again`,
      options,
    );
  }
}

const CUT_OFF_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNREFUSED', 'ETIMEDOUT', 'ERR_STREAM_PREMATURE_CLOSE']);

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : '';
}

/** A read that failed because the connection did, not because of the bytes: worth starting again. */
function cutOff(error: unknown): boolean {
  if (error instanceof RepositoryAccessError) return error.code === 'unreachable' || error.code === 'timeout';
  const message = (error as { message?: unknown } | null)?.message;
  return CUT_OFF_CODES.has(codeOf(error)) || message === 'aborted' || message === 'socket hang up';
}

function readFailure(key: string, attempts: number, error: unknown): ObjectReadError {
  const code: AccessErrorCode =
    error instanceof RepositoryAccessError
      ? error.code
      : codeOf(error) === 'ETIMEDOUT'
        ? 'timeout'
        : cutOff(error)
          ? 'unreachable'
          : 'request-failed';
  const detail = [codeOf(error), (error as Error).message].filter((part) => part !== '' && part !== undefined);
  return new ObjectReadError(key, attempts, code, detail.join(': ') || String(error), { cause: error });
}

/**
 * Objects to hand out at once so that `concurrency` reads keep busy: with a pool on a local repository the workers
 * read the files themselves (one at a time each, in the order queued), and queuing many objects per worker hides
 * the round trip to it, which costs more than decoding a small object; otherwise `concurrency`.
 *
 * @example
 * await forEachBounded(jobs, objectsInFlight(storage, pool, 2), check);
 */
export function objectsInFlight(storage: RepositoryStorage, pool: DecodePool | undefined, concurrency: number): number {
  return pool !== undefined && storage.constructor === PosixStorage ? concurrency * 16 : concurrency;
}

/**
 * Reads an object (or `range` of it) and decodes it with {@link decodeObject}. A read the network cuts off
 * (connection reset, premature close, timeout) starts again from the first byte, with a fresh hash, up to
 * `retry.attempts` times with a growing wait; if it still fails, an {@link ObjectReadError} that names the
 * object. Damaged bytes stay an {@link ObjectDecodeError}. `undefined` when the object does not exist.
 * `onAttempt` runs before each read (to drop what `onData` received from an earlier one).
 * With a `pool`, an encoding its workers decode is decoded there (a local file is read by the worker
 * itself); `expected` is the content size the object should decode to.
 * With `keepContent`, the whole content comes back in {@link DecodedObject.content} (from a worker in one buffer,
 * sized by `expected`). `storedSize` (from the listing or the manifest) lets a small object of a remote repository
 * be read whole and handed to a worker in one message.
 *
 * @example
 * const decoded = await decodeStoredObject(storage, key, undefined, { passphrase, compression: 'gz' });
 */
export async function decodeStoredObject(
  storage: RepositoryStorage,
  key: string,
  range: ByteRange | undefined,
  encoding: StoredEncoding,
  options: {
    readonly signal?: AbortSignal | undefined;
    readonly onData?: (chunk: Buffer) => void;
    readonly onAttempt?: () => void;
    readonly retry?: ReadRetry;
    readonly pool?: DecodePool | undefined;
    readonly expected?: number | undefined;
    readonly keepContent?: boolean;
    readonly storedSize?: number | undefined;
  } = {},
): Promise<DecodedObject | undefined> {
  const { signal, retry = DEFAULT_READ_RETRY, expected } = options;
  const keep = options.keepContent === true;
  const pool = options.onData === undefined && DecodePool.handles(encoding) ? options.pool : undefined;
  for (let attempt = 1; ; attempt++) {
    try {
      options.onAttempt?.();
      if (pool !== undefined && storage.constructor === PosixStorage) {
        const path = localPath((storage as PosixStorage).root, key);
        return await pool.decodeFile(path, range, encoding, expected, signal, keep);
      }
      if (pool !== undefined && options.storedSize !== undefined && options.storedSize <= WHOLE_OBJECT_BYTES) {
        const bytes = await storage.get(key, range);
        if (bytes === undefined) return undefined;
        return await pool.decodeBytes(bytes, encoding, expected, signal, keep);
      }
      if (pool === undefined) await loadCodec(encoding.compression);
      const stream = await storage.stream(key, range, signal);
      if (stream === undefined) return undefined;
      if (pool !== undefined) return await pool.decodeStream(stream, encoding, expected, signal, keep);
      if (!keep) return await decodeObject(stream, encoding, signal, options.onData);
      const chunks: Buffer[] = [];
      const decoded = await decodeObject(stream, encoding, signal, (chunk) => {
        options.onData?.(chunk);
        chunks.push(chunk);
      });
      return { ...decoded, content: Buffer.concat(chunks) };
    } catch (error) {
      if (error instanceof ObjectDecodeError || signal?.aborted) throw error;
      const retryable = cutOff(error);
      if (!retryable && (error instanceof RepositoryAccessError || codeOf(error) === '')) throw error;
      if (!retryable || attempt >= retry.attempts) throw readFailure(key, attempt, error);
      await sleep(retry.backoffMs * 2 ** (attempt - 1), undefined, signal === undefined ? {} : { signal });
    }
  }
}
