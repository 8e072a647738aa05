import { createDecipheriv, createHash, type Decipher } from 'node:crypto';
import { Transform, type TransformCallback, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createInflate } from 'node:zlib';
import { bytesToKey, SALTED_MAGIC } from './cipher.js';
import { CodecError } from './codec-error.js';

/** zlib output chunks of 256 KiB: with the default 16 KiB, per-chunk work doubles the CPU time of a deep check. */
const ZLIB_CHUNKS = { chunkSize: 256 * 1024 };

/** Compression types whose stored objects this package can decompress. */
export const supportedCompressions = new Set(['none', 'gz', 'lz4', 'zst', 'bz2']);

/** Why stored bytes could not be turned back into the original content. */
export class ObjectDecodeError extends Error {
  override readonly name = 'ObjectDecodeError';
  constructor(
    /** decrypt: not "Salted__", or the cipher padding is wrong (damaged bytes or wrong passphrase); decompress: damaged stream. */
    readonly stage: 'decrypt' | 'decompress',
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** How stored bytes are encoded. */
export interface StoredEncoding {
  /** The passphrase of the object, when encrypted (never reported). */
  readonly passphrase: string | undefined;
  /** gz, lz4, zst, bz2, none (see {@link supportedCompressions}). */
  readonly compression: string;
  /** Raw variant (bundles of block-incremental backups): salt without "Salted__", zlib instead of gzip. */
  readonly raw?: boolean;
  /** Also hash the stored bytes ({@link DecodedObject.storedSha1}); a second SHA-1 pass, so only when asked. */
  readonly hashStored?: boolean;
}

/** What decoding an object found. */
export interface DecodedObject {
  /** SHA-1 (hex) of the original content. */
  readonly sha1: string;
  /** Size of the original content. */
  readonly size: number;
  /** Its first bytes (up to 64). */
  readonly head: Buffer;
  /** SHA-1 (hex) of the stored bytes as read, when {@link StoredEncoding.hashStored} asked for it. */
  readonly storedSha1?: string;
  /** The whole original content, when the reader asked to keep it. */
  readonly content?: Buffer;
}

/** AES-256-CBC decryption of pgBackRest's salted format, as a stream. */
class SaltedDecipher extends Transform {
  private header = Buffer.alloc(0);
  private decipher: Decipher | undefined;

  constructor(
    private readonly passphrase: string,
    private readonly raw: boolean,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    try {
      if (this.decipher === undefined) {
        this.header = Buffer.concat([this.header, chunk]);
        const length = this.raw ? 8 : 16;
        if (this.header.length < length) {
          done();
          return;
        }
        if (!this.raw && !SALTED_MAGIC.equals(this.header.subarray(0, 8))) {
          done(new ObjectDecodeError('decrypt', 'not in "Salted__" format'));
          return;
        }
        const { key, iv } = bytesToKey(this.passphrase, this.header.subarray(length - 8, length));
        this.decipher = createDecipheriv('aes-256-cbc', key, iv);
        chunk = this.header.subarray(length);
      }
      done(null, this.decipher.update(chunk));
    } catch (cause) {
      done(new ObjectDecodeError('decrypt', 'cannot be decrypted', { cause }));
    }
  }

  override _flush(done: TransformCallback): void {
    if (this.decipher === undefined) {
      done(new ObjectDecodeError('decrypt', 'too short for an encrypted file'));
      return;
    }
    try {
      done(null, this.decipher.final());
    } catch (cause) {
      done(
        new ObjectDecodeError('decrypt', 'cannot be decrypted (bad padding: damaged, or another passphrase)', {
          cause,
        }),
      );
    }
  }
}

type Decompressor = () => NodeJS.ReadWriteStream;
const codecLoads = new Map<string, Promise<Decompressor>>();

function importCodec(compression: 'zst' | 'lz4' | 'bz2'): Promise<Decompressor> {
  switch (compression) {
    case 'zst':
      return import('./zstd-decompress.js').then(
        ({ ZstdDecompress }) =>
          () =>
            new ZstdDecompress(),
      );
    case 'lz4':
      return import('./lz4-decompress.js').then(
        ({ Lz4Decompress }) =>
          () =>
            new Lz4Decompress(),
      );
    case 'bz2':
      return import('./bzip2-decompress.js').then(
        ({ Bzip2Decompress }) =>
          () =>
            new Bzip2Decompress(),
      );
  }
}

/**
 * The decompressor of `compression` when it is one written in JavaScript (zst, lz4, bz2), loaded on first use:
 * importing the package, or verifying a repository of gz objects, loads none of them. `undefined` for gz, none and
 * names this package does not decode. Call it before opening the stream to decode, so decoding starts at once.
 *
 * @example
 * const lz4 = await loadCodec('lz4');
 * const stream = lz4?.();
 */
export function loadCodec(compression: string): Promise<Decompressor | undefined> {
  if (compression !== 'zst' && compression !== 'lz4' && compression !== 'bz2') return Promise.resolve(undefined);
  let loading = codecLoads.get(compression);
  if (loading === undefined) {
    loading = importCodec(compression);
    codecLoads.set(compression, loading);
  }
  return loading;
}

/**
 * Streams stored bytes through decryption and decompression into SHA-1 and a byte count, holding
 * no more than a few chunks in memory.
 *
 * @example
 * const { sha1, size } = await decodeObject(await storage.stream(key), { passphrase, compression: 'gz' });
 */
export async function decodeObject(
  source: NodeJS.ReadableStream,
  encoding: StoredEncoding,
  signal?: AbortSignal,
  /** Receives the original content, chunk by chunk (for readers of the content itself). */
  onData?: (chunk: Buffer) => void,
): Promise<DecodedObject> {
  const codec = await loadCodec(encoding.compression);
  const hash = createHash('sha1');
  let size = 0;
  let head = Buffer.alloc(0);
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      onData?.(chunk);
      size += chunk.length;
      if (head.length < 64) head = Buffer.concat([head, chunk.subarray(0, 64 - head.length)]);
      done();
    },
  });
  const storedHash = encoding.hashStored === true ? createHash('sha1') : undefined;
  const stages: NodeJS.ReadWriteStream[] = [];
  if (storedHash !== undefined) {
    stages.push(
      new Transform({
        transform(chunk: Buffer, _encoding, done) {
          storedHash.update(chunk);
          done(null, chunk);
        },
      }),
    );
  }
  if (encoding.passphrase !== undefined) stages.push(new SaltedDecipher(encoding.passphrase, encoding.raw === true));
  let decompressor: NodeJS.ReadWriteStream | undefined;
  if (encoding.compression === 'gz') {
    decompressor = encoding.raw === true ? createInflate(ZLIB_CHUNKS) : createGunzip(ZLIB_CHUNKS);
  } else if (codec !== undefined) decompressor = codec();
  else if (encoding.compression !== 'none') {
    throw new ObjectDecodeError('decompress', `compression "${encoding.compression}" is not supported`);
  }
  if (decompressor !== undefined) stages.push(decompressor);
  try {
    await pipeline([source, ...stages, sink] as never, signal === undefined ? {} : { signal });
  } catch (error) {
    if (error instanceof ObjectDecodeError) throw error;
    if (signal?.aborted) throw error;
    if (error instanceof CodecError) {
      throw new ObjectDecodeError('decompress', `cannot be decompressed (${error.message})`, { cause: error });
    }
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('Z_')) {
      throw new ObjectDecodeError('decompress', `cannot be decompressed (${(error as Error).message})`, {
        cause: error,
      });
    }
    throw error;
  }
  const sha1 = hash.digest('hex');
  return storedHash === undefined ? { sha1, size, head } : { sha1, size, head, storedSha1: storedHash.digest('hex') };
}
