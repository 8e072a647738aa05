// The body of a decoding worker thread. It runs from its own source text (`new Worker(source, { eval: true })`),
// so it works the same from the built package, a bundle and the TypeScript sources under test: it must not
// refer to anything outside itself, and loads only Node's own modules (crypto, zlib, fs). It decodes what
// Node decodes natively (gz and uncompressed, AES-256-CBC); the other codecs stay on the main thread.

/**
 * A closing worker stays idle this long before its thread ends. `terminate()` on a busy worker can abort the
 * whole Node 20 process (a zlib stream torn down mid-call; V8 still compiling on a background thread for an
 * isolate already gone): a worker ends its own thread, after its objects are dropped and this quiet spell.
 */
export const WORKER_QUIET_MS = 50;
/** Objects of at most this many stored bytes are read whole and decoded in one call. */
export const WHOLE_OBJECT_BYTES = 256 * 1024;
/** A whole object may inflate to at most this much in one call; larger content is streamed. */
export const WHOLE_CONTENT_BYTES = 1024 * 1024;
/**
 * A local file (or range) of at most this many stored bytes, expected to decode to at most as many, is read
 * whole into one reused buffer and decoded in one call (a WAL segment of the default size among them): no
 * stream, no hop to libuv's threads, one output buffer.
 */
export const WHOLE_FILE_BYTES = 16 * 1024 * 1024;

/** The bounds a worker decodes in one call within; see the constants above. */
export interface WorkerBounds {
  readonly wholeObjectBytes: number;
  readonly wholeContentBytes: number;
  readonly wholeFileBytes: number;
}

/** What the main thread sends a worker. */
export type ToWorker =
  | {
      readonly type: 'open';
      readonly id: number;
      readonly encoding: WorkerEncoding;
      /** Content size the manifest or the segment size expects (bounds the one-call path). */
      readonly expected: number | undefined;
      /** Send the whole content back (in one buffer, moved, not copied). */
      readonly keep?: boolean;
      /** Read the file itself (posix): absolute path and inclusive range. */
      readonly file?: { readonly path: string; readonly start: number; readonly end: number | undefined };
      /** The whole stored object (a small one): no data or end message follows. */
      readonly bytes?: Uint8Array;
    }
  | { readonly type: 'data'; readonly id: number; readonly bytes: Uint8Array }
  | { readonly type: 'end'; readonly id: number }
  | { readonly type: 'cancel'; readonly id: number }
  /** Drop every object and end the thread once idle (see {@link WORKER_QUIET_MS}). */
  | { readonly type: 'close' };

/** What a worker answers. */
export type FromWorker =
  /** A data message was decoded; its buffer comes back (moved) for the next batch. */
  | { readonly type: 'ack'; readonly id: number; readonly bytes: Uint8Array }
  | {
      readonly type: 'done';
      readonly id: number;
      readonly sha1: string;
      readonly size: number;
      readonly head: Uint8Array;
      readonly storedSha1: string | undefined;
      /** The whole content, when the open message asked to keep it. */
      readonly content?: Uint8Array;
    }
  | {
      readonly type: 'failed';
      readonly id: number;
      /** decrypt/decompress: damaged bytes (ObjectDecodeError); fs: the file could not be read. */
      readonly kind: 'decrypt' | 'decompress' | 'fs';
      readonly message: string;
      readonly code: string | undefined;
    };

export interface WorkerEncoding {
  readonly passphrase: string | undefined;
  readonly compression: 'gz' | 'none';
  readonly raw: boolean;
  readonly hashStored: boolean;
}

/** Runs inside the worker (see the comment at the top of this file). */
function decodeWorkerMain(bounds: WorkerBounds, quietMs: number): void {
  const { wholeObjectBytes, wholeContentBytes, wholeFileBytes } = bounds;
  // Not `require`: bundlers rewrite it, and this text runs outside any bundle.
  const { parentPort } = process.getBuiltinModule('node:worker_threads');
  const crypto = process.getBuiltinModule('node:crypto');
  const zlib = process.getBuiltinModule('node:zlib');
  const fs = process.getBuiltinModule('node:fs');
  const port = parentPort!;
  const READ_BYTES = 1024 * 1024;
  const SALTED = Buffer.from('Salted__', 'latin1');
  const spare: Buffer[] = [];
  let wholeFile = Buffer.alloc(0);

  class Damage extends Error {
    constructor(
      readonly stage: 'decrypt' | 'decompress',
      message: string,
    ) {
      super(message);
    }
  }

  const keyOf = (passphrase: string, salt: Uint8Array) => {
    const parts: Buffer[] = [];
    let previous = Buffer.alloc(0);
    while (parts.length * 20 < 48) {
      previous = crypto.createHash('sha1').update(previous).update(passphrase, 'utf8').update(salt).digest();
      parts.push(previous);
    }
    const material = Buffer.concat(parts);
    return { key: material.subarray(0, 32), iv: material.subarray(32, 48) };
  };

  /** Content side: SHA-1, size, first 64 bytes; with `kept`, the whole content in one growing buffer. */
  class Content {
    readonly hash = crypto.createHash('sha1');
    size = 0;
    head = Buffer.alloc(0);
    constructor(public kept: Buffer | undefined) {}
    add(chunk: Uint8Array): void {
      this.hash.update(chunk);
      if (this.kept !== undefined) {
        if (this.size + chunk.length > this.kept.length) {
          const grown = Buffer.allocUnsafeSlow(Math.max(this.size + chunk.length, this.kept.length * 2));
          this.kept.copy(grown, 0, 0, this.size);
          this.kept = grown;
        }
        this.kept.set(chunk, this.size);
      }
      this.size += chunk.length;
      if (this.head.length < 64) this.head = Buffer.concat([this.head, chunk.subarray(0, 64 - this.head.length)]);
    }
  }

  /** Decryption as bytes arrive, with the messages of the main thread's streamed decipher. */
  class Decipher {
    private header = Buffer.alloc(0);
    private decipher: import('node:crypto').Decipher | undefined;
    constructor(
      private readonly passphrase: string,
      private readonly raw: boolean,
    ) {}
    update(chunk: Uint8Array): Buffer | undefined {
      try {
        if (this.decipher === undefined) {
          this.header = Buffer.concat([this.header, chunk]);
          const length = this.raw ? 8 : 16;
          if (this.header.length < length) return undefined;
          if (!this.raw && !SALTED.equals(this.header.subarray(0, 8))) {
            throw new Damage('decrypt', 'not in "Salted__" format');
          }
          const { key, iv } = keyOf(this.passphrase, this.header.subarray(length - 8, length));
          this.decipher = crypto.createDecipheriv('aes-256-cbc', key, iv);
          chunk = this.header.subarray(length);
        }
        return this.decipher.update(chunk);
      } catch (error) {
        if (error instanceof Damage) throw error;
        throw new Damage('decrypt', 'cannot be decrypted');
      }
    }
    final(): Buffer {
      if (this.decipher === undefined) throw new Damage('decrypt', 'too short for an encrypted file');
      try {
        return this.decipher.final();
      } catch {
        throw new Damage('decrypt', 'cannot be decrypted (bad padding: damaged, or another passphrase)');
      }
    }
  }

  const zlibDamage = (error: unknown) => {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('Z_')) {
      return new Damage('decompress', `cannot be decompressed (${(error as Error).message})`);
    }
    return error;
  };

  /** One object being decoded: stored bytes in, in order; `finish` when they have all arrived. */
  class Session {
    cancelled = false;
    private readonly stored: import('node:crypto').Hash | undefined;
    private readonly decipher: Decipher | undefined;
    private readonly content: Content;
    private inflater: import('node:zlib').Gunzip | import('node:zlib').Inflate | undefined;
    private inflateError: unknown;
    private pending: Buffer[] = [];
    private pendingBytes = 0;
    private streaming = false;
    /** The most content one call may inflate to. */
    private contentBound = wholeContentBytes;

    constructor(
      readonly encoding: WorkerEncoding,
      readonly expected: number | undefined,
      keep: boolean,
    ) {
      this.content = new Content(keep ? Buffer.allocUnsafeSlow(Math.max(1, expected ?? READ_BYTES)) : undefined);
      this.stored = encoding.hashStored ? crypto.createHash('sha1') : undefined;
      this.decipher = encoding.passphrase === undefined ? undefined : new Decipher(encoding.passphrase, encoding.raw);
    }

    /** Takes stored bytes; `bytes` may be reused by the caller once the promise settles. */
    async push(bytes: Buffer): Promise<void> {
      if (!this.streaming && this.pendingBytes + bytes.length <= wholeObjectBytes) {
        this.pending.push(Buffer.from(bytes));
        this.pendingBytes += bytes.length;
        return;
      }
      await this.startStreaming();
      await this.feed(bytes);
    }

    /** Takes all the stored bytes at once (a whole local file), for `finish` to decode in one call; not copied. */
    pushWhole(bytes: Buffer): void {
      this.pending = [bytes];
      this.pendingBytes = bytes.length;
      this.contentBound = wholeFileBytes + 1;
    }

    async finish(): Promise<Extract<FromWorker, { type: 'done' }>> {
      // Content expected larger than one call may inflate (a mostly empty WAL segment) goes straight to streaming.
      const fits = this.expected === undefined || this.expected < this.contentBound;
      if (!this.streaming && !(fits && (await this.whole()))) await this.startStreaming();
      if (this.streaming) {
        if (this.decipher !== undefined) await this.plain(this.decipher.final(), true);
        else await this.plain(Buffer.alloc(0), true);
      }
      return {
        type: 'done',
        id: 0,
        sha1: this.content.hash.digest('hex'),
        size: this.content.size,
        head: this.content.head,
        storedSha1: this.stored?.digest('hex'),
        ...(this.content.kept === undefined ? {} : { content: this.content.kept.subarray(0, this.content.size) }),
      };
    }

    /** Decodes what is pending in one call each; false when its content would exceed the bound (then it is streamed). */
    private async whole(): Promise<boolean> {
      const bytes = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending);
      let plain = bytes;
      if (this.decipher !== undefined) {
        const decipher = new Decipher(this.encoding.passphrase!, this.encoding.raw);
        const body = decipher.update(bytes);
        const tail = decipher.final();
        plain = body === undefined ? tail : Buffer.concat([body, tail]);
      }
      let content = plain;
      if (this.encoding.compression === 'gz') {
        const limit = Math.min(this.contentBound, (this.expected ?? this.contentBound) + 1);
        // One output buffer when the size is known; 64 KiB pieces when it is not.
        const options = {
          maxOutputLength: limit,
          chunkSize: this.expected === undefined ? 65536 : Math.max(64, limit),
        };
        try {
          content = this.encoding.raw ? zlib.inflateSync(plain, options) : zlib.gunzipSync(plain, options);
        } catch (error) {
          if ((error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') return false;
          throw zlibDamage(error);
        }
      }
      this.stored?.update(bytes);
      this.content.add(content);
      this.pending = [];
      return true;
    }

    private async startStreaming(): Promise<void> {
      if (this.streaming) return;
      this.streaming = true;
      if (this.encoding.compression === 'gz') {
        const options = { chunkSize: 1024 * 1024 };
        this.inflater = this.encoding.raw ? zlib.createInflate(options) : zlib.createGunzip(options);
        this.inflater.on('data', (chunk: Buffer) => this.content.add(chunk));
        this.inflater.on('error', (error) => {
          this.inflateError ??= error;
        });
      }
      const pending = this.pending;
      this.pending = [];
      for (const bytes of pending) await this.feed(bytes);
    }

    private async feed(bytes: Buffer): Promise<void> {
      this.stored?.update(bytes);
      const plain = this.decipher === undefined ? bytes : this.decipher.update(bytes);
      if (plain !== undefined && plain.length > 0) await this.plain(plain, false);
    }

    private plain(bytes: Buffer, last: boolean): Promise<void> {
      const inflater = this.inflater;
      if (inflater === undefined) {
        this.content.add(bytes);
        return Promise.resolve();
      }
      return new Promise<void>((resolve, reject) => {
        let settled = false;
        // zlib does not call back a write that failed: its error (or close) settles it.
        const settle = () => {
          if (settled) return;
          settled = true;
          inflater.off('error', settle);
          inflater.off('close', settle);
          inflater.off('end', settle);
          if (this.inflateError === undefined) resolve();
          else reject(zlibDamage(this.inflateError));
        };
        this.inflateError ??= inflater.errored ?? undefined;
        if (this.inflateError !== undefined || inflater.destroyed) {
          this.inflateError ??= new Error('the decompressor was closed');
          settle();
          return;
        }
        inflater.once('error', settle);
        inflater.once('close', settle);
        if (!last) {
          inflater.write(bytes, (error) => {
            if (error) this.inflateError ??= error;
            settle();
          });
          return;
        }
        inflater.once('end', settle);
        inflater.end(bytes);
      });
    }

    destroy(): void {
      this.cancelled = true;
      this.inflater?.destroy();
    }
  }

  const sessions = new Map<number, { session: Session; queue: Promise<void> }>();
  let fileReads: Promise<unknown> = Promise.resolve();
  const send = (message: FromWorker, transfer?: ArrayBuffer[]) => port.postMessage(message, transfer ?? []);
  const fail = (id: number, error: unknown) => {
    if (error instanceof Damage) {
      send({ type: 'failed', id, kind: error.stage, message: error.message, code: undefined });
    } else {
      const code = (error as { code?: unknown }).code;
      send({
        type: 'failed',
        id,
        kind: 'fs',
        message: (error as Error).message,
        code: typeof code === 'string' ? code : undefined,
      });
    }
  };
  const done = async (id: number, session: Session) => {
    const result = await session.finish();
    if (!session.cancelled)
      send({ ...result, id }, result.content === undefined ? [] : [result.content.buffer as ArrayBuffer]);
  };

  /** Reads a file (or its range) into one reused buffer, feeding the session. */
  const readFile = async (id: number, session: Session, file: { path: string; start: number; end?: number }) => {
    const buffer = spare.pop() ?? Buffer.allocUnsafeSlow(READ_BYTES);
    let fd: number | undefined;
    try {
      fd = fs.openSync(file.path, 'r');
      let position = file.start;
      const end = Math.min(file.end === undefined ? Number.POSITIVE_INFINITY : file.end + 1, fs.fstatSync(fd).size);
      const size = Math.max(0, end - position);
      if (size <= wholeFileBytes && (session.expected ?? 0) <= wholeFileBytes) {
        if (wholeFile.length < size) wholeFile = Buffer.allocUnsafeSlow(Math.max(size, READ_BYTES));
        let read = 0;
        while (read < size) {
          const got = fs.readSync(fd, wholeFile, read, size - read, position + read);
          if (got === 0) break;
          read += got;
        }
        session.pushWhole(wholeFile.subarray(0, read));
        await done(id, session);
        return;
      }
      while (!session.cancelled && position < end) {
        const read = fs.readSync(fd, buffer, 0, Math.min(READ_BYTES, end - position), position);
        if (read === 0) break;
        position += read;
        await session.push(buffer.subarray(0, read));
        // Let a cancel message in between reads.
        if (position < end) await new Promise((resolve) => setImmediate(resolve));
      }
      if (!session.cancelled) await done(id, session);
    } finally {
      if (fd !== undefined) fs.closeSync(fd);
      spare.push(buffer);
    }
  };

  /** Queues stored bytes (acknowledged, the buffer moved back, unless `ack` is false) or, without bytes, the end. */
  const step = (
    id: number,
    entry: { session: Session; queue: Promise<void> },
    bytes: Uint8Array | undefined,
    ack = true,
  ) => {
    const { session } = entry;
    entry.queue = entry.queue.then(async () => {
      if (session.cancelled) return;
      try {
        if (bytes !== undefined) {
          await session.push(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length));
          if (ack) send({ type: 'ack', id, bytes }, [bytes.buffer as ArrayBuffer]);
        } else {
          sessions.delete(id);
          await done(id, session);
        }
      } catch (error) {
        session.destroy();
        sessions.delete(id);
        fail(id, error);
      }
    });
  };

  const close = async () => {
    const queues = [...sessions.values()].map((entry) => {
      entry.session.destroy();
      return entry.queue;
    });
    sessions.clear();
    await Promise.allSettled([...queues, fileReads]);
    setTimeout(() => port.close(), quietMs);
  };

  port.on('message', (message: ToWorker) => {
    if (message.type === 'close') {
      void close();
      return;
    }
    if (message.type === 'open') {
      const session = new Session(message.encoding, message.expected, message.keep === true);
      const entry = { session, queue: Promise.resolve() };
      sessions.set(message.id, entry);
      if (message.file !== undefined) {
        const file = message.file;
        // One file read at a time, in the order asked: one read buffer, however many files are queued here.
        const read = fileReads.then(() =>
          session.cancelled
            ? undefined
            : readFile(message.id, session, {
                path: file.path,
                start: file.start,
                ...(file.end === undefined ? {} : { end: file.end }),
              }),
        );
        fileReads = read.catch(() => undefined);
        entry.queue = read
          .catch((error) => {
            if (!session.cancelled) fail(message.id, error);
          })
          .finally(() => sessions.delete(message.id));
      } else if (message.bytes !== undefined) {
        step(message.id, entry, message.bytes, false);
        step(message.id, entry, undefined);
      }
      return;
    }
    const entry = sessions.get(message.id);
    if (entry === undefined) return;
    if (message.type === 'cancel') {
      entry.session.destroy();
      sessions.delete(message.id);
      return;
    }
    step(message.id, entry, message.type === 'data' ? message.bytes : undefined);
  });
}

/**
 * The source text a decoding worker runs (`new Worker(decodeWorkerSource(), { eval: true })`).
 *
 * @example
 * const worker = new Worker(decodeWorkerSource(), { eval: true });
 */
export function decodeWorkerSource(overrides: Partial<WorkerBounds> = {}): string {
  // A no-op `__name`: some transpilers' keep-names mode wraps named functions with it.
  const bounds: WorkerBounds = {
    wholeObjectBytes: WHOLE_OBJECT_BYTES,
    wholeContentBytes: WHOLE_CONTENT_BYTES,
    wholeFileBytes: WHOLE_FILE_BYTES,
    ...overrides,
  };
  return `"use strict";const __name=(f)=>f;(${decodeWorkerMain.toString()})(${JSON.stringify(bounds)},${WORKER_QUIET_MS});`;
}
