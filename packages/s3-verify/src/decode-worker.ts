// The body of a decoding worker thread. It runs from its own source text (`new Worker(source, { eval: true })`),
// so it works the same from the built package, a bundle and the TypeScript sources under test: it must not
// refer to anything outside itself, and loads only Node's own modules (crypto, zlib, fs). It decodes what
// Node decodes natively (gz and uncompressed, AES-256-CBC); the other codecs stay on the main thread.

import { createGunzip } from 'node:zlib';

/**
 * A closing worker stays idle this long before its thread ends. `terminate()` on a busy worker can abort the
 * whole Node 20 process (a zlib stream torn down mid-call; V8 still compiling on a background thread for an
 * isolate already gone): a worker ends its own thread, after its objects are dropped and this quiet spell.
 */
export const WORKER_QUIET_MS = 50;
/** Objects of at most this many stored bytes are read whole and handed to a worker in one message. */
export const WHOLE_OBJECT_BYTES = 256 * 1024;
/**
 * A worker reads a local file in 1 MiB pieces into one reused buffer (never a buffer the size of a file), and lets
 * other messages (a cancel) in after this many bytes: a WAL segment of the default size is read without a pause.
 */
export const UNPAUSED_READ_BYTES = 16 * 1024 * 1024;
/**
 * Stored bytes go to the decipher, and content comes out of the inflater, in pieces of this size: buffers this small
 * reuse memory just freed, where one output buffer per file faults in fresh pages, which costs more than inflating.
 */
export const PIECE_BYTES = 256 * 1024;

/** The bounds a worker reads within; see the constants above. */
export interface WorkerBounds {
  readonly unpausedReadBytes: number;
}

/** What the zlib engine's handle offers (Node's own, not public: {@link inflatesInPlace} checks it is there). */
interface ZlibHandle {
  writeSync(
    flush: number,
    input: Uint8Array,
    inOffset: number,
    inLength: number,
    output: Uint8Array,
    outOffset: number,
    outLength: number,
  ): void;
  /** Starts the stream again (inflateReset): the public `reset()` of a zlib stream calls this. */
  reset(): void;
  onerror: (message: string, errno: number, code: string) => void;
}

/**
 * True when this Node inflates through its zlib engine's handle synchronously (Node 20 to 24 do): only then do the
 * decoding workers take gz objects; otherwise they stay with the main thread's streamed decoder.
 *
 * @example
 * if (inflatesInPlace()) pool.decodeFile(path, undefined, { passphrase: undefined, compression: 'gz' }, size);
 */
export function inflatesInPlace(): boolean {
  try {
    const engine = createGunzip() as unknown as { _handle?: Partial<ZlibHandle>; _writeState?: unknown; close(): void };
    const usable =
      typeof engine._handle?.writeSync === 'function' &&
      typeof engine._handle.reset === 'function' &&
      engine._writeState instanceof Uint32Array;
    engine.close();
    return usable;
  } catch {
    return false;
  }
}

/** What the main thread sends a worker. */
export type ToWorker =
  | {
      readonly type: 'open';
      readonly id: number;
      readonly encoding: WorkerEncoding;
      /** Content size the manifest or the segment size expects (sizes the kept content's buffer). */
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
  /** A kept content's buffer given back, once read, for the next content kept (no fresh pages to fault in). */
  | { readonly type: 'spare'; readonly bytes: Uint8Array }
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
function decodeWorkerMain(bounds: WorkerBounds, quietMs: number, PIECE_BYTES: number): void {
  const { unpausedReadBytes } = bounds;
  // Not `require`: bundlers rewrite it, and this text runs outside any bundle.
  const { parentPort } = process.getBuiltinModule('node:worker_threads');
  const crypto = process.getBuiltinModule('node:crypto');
  const zlib = process.getBuiltinModule('node:zlib');
  const fs = process.getBuiltinModule('node:fs');
  const port = parentPort!;
  const READ_BYTES = 1024 * 1024;
  const KEPT_SPARES = 2;
  const IDLE_INFLATERS = 2;
  const SALTED = Buffer.from('Salted__', 'latin1');
  const spare: Buffer[] = [];
  const keptSpare: Buffer[] = [];
  const keptBuffer = (size: number) => {
    const at = keptSpare.findIndex((buffer) => buffer.length >= size);
    return at === -1 ? Buffer.allocUnsafeSlow(size) : keptSpare.splice(at, 1)[0]!;
  };
  const output = Buffer.allocUnsafeSlow(PIECE_BYTES);

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

  /**
   * gz (or zlib, `raw`) inflated synchronously through the engine's own handle into the worker's one output buffer:
   * no stream, no hop to libuv's threads, and no fresh output buffer per call (fresh pages cost more than inflating).
   * An engine that inflated a file without error is reset and kept for the next (no zlib state allocated per file).
   */
  class Inflater {
    /** An idle engine of this kind, or a new one. */
    static take(raw: boolean): Inflater {
      return (raw ? idleRaw : idleGzip).pop() ?? new Inflater(raw);
    }

    private readonly engine: import('node:zlib').Gunzip | import('node:zlib').Inflate;
    private readonly handle: ZlibHandle;
    private readonly state: Uint32Array;
    /** What the engine reported: whatever it is, the compressed bytes could not be inflated. */
    private failure: Damage | undefined;

    private constructor(private readonly raw: boolean) {
      this.engine = raw ? zlib.createInflate() : zlib.createGunzip();
      const inner = this.engine as unknown as { _handle: ZlibHandle; _writeState: Uint32Array };
      this.handle = inner._handle;
      this.state = inner._writeState;
      this.handle.onerror = (message) => {
        this.failure ??= new Damage('decompress', `cannot be decompressed (${message})`);
      };
    }

    /** Inflates `input` (all of it), handing each piece of content to `sink` before the next overwrites it. */
    write(input: Buffer, last: boolean, sink: (content: Buffer) => void): void {
      const flush = last ? zlib.constants.Z_FINISH : zlib.constants.Z_NO_FLUSH;
      let offset = 0;
      let available = input.length;
      for (;;) {
        this.handle.writeSync(flush, input, offset, available, output, 0, output.length);
        if (this.failure !== undefined) throw this.failure;
        const outLeft = this.state[0]!;
        const inLeft = this.state[1]!;
        if (outLeft < output.length) sink(output.subarray(0, output.length - outLeft));
        offset += available - inLeft;
        available = inLeft;
        if (outLeft !== 0) return;
      }
    }

    /** Done with this file: reset and kept idle, unless the engine failed or enough are kept (then closed). */
    give(): void {
      const idle = this.raw ? idleRaw : idleGzip;
      const keep = this.failure === undefined && idle.length < IDLE_INFLATERS;
      if (keep) this.handle.reset();
      // A failed reset is reported like any other failure.
      if (keep && this.failure === undefined) idle.push(this);
      else this.close();
    }

    close(): void {
      this.engine.close();
    }
  }
  const idleGzip: Inflater[] = [];
  const idleRaw: Inflater[] = [];

  /** One object being decoded: stored bytes in, in order, decoded as they arrive; `finish` when all have. */
  class Session {
    cancelled = false;
    private readonly stored: import('node:crypto').Hash | undefined;
    private readonly decipher: Decipher | undefined;
    private readonly content: Content;
    private readonly inflater: Inflater | undefined;
    private readonly toContent = (chunk: Buffer) => this.content.add(chunk);
    /** Content that failed to inflate while decrypting: reported only if the decryption itself ends well. */
    private inflateFailure: Damage | undefined;
    /** The inflater went back (or was closed): a session gives it up once. */
    private inflaterDone = false;

    constructor(
      readonly encoding: WorkerEncoding,
      readonly expected: number | undefined,
      keep: boolean,
    ) {
      this.content = new Content(keep ? keptBuffer(Math.max(1, expected ?? READ_BYTES)) : undefined);
      this.stored = encoding.hashStored ? crypto.createHash('sha1') : undefined;
      this.decipher = encoding.passphrase === undefined ? undefined : new Decipher(encoding.passphrase, encoding.raw);
      this.inflater = encoding.compression === 'gz' ? Inflater.take(encoding.raw) : undefined;
    }

    /** Takes stored bytes; `bytes` may be reused by the caller once this returns. */
    push(bytes: Buffer): void {
      this.stored?.update(bytes);
      for (let at = 0; at < bytes.length; at += PIECE_BYTES) {
        const piece = bytes.subarray(at, at + PIECE_BYTES);
        const plain = this.decipher === undefined ? piece : this.decipher.update(piece);
        if (plain !== undefined && plain.length > 0) this.plain(plain, false);
      }
    }

    finish(): Extract<FromWorker, { type: 'done' }> {
      try {
        this.plain(this.decipher === undefined ? Buffer.alloc(0) : this.decipher.final(), true);
        if (this.inflateFailure !== undefined) throw this.inflateFailure;
      } finally {
        this.dropInflater(true);
      }
      return {
        type: 'done',
        id: 0,
        sha1: this.content.hash.digest('hex'),
        size: this.content.size,
        // A copy with its own memory: a view of Node's shared 8 KiB pool would send the whole pool.
        head: new Uint8Array(this.content.head),
        storedSha1: this.stored?.digest('hex'),
        ...(this.content.kept === undefined ? {} : { content: this.content.kept.subarray(0, this.content.size) }),
      };
    }

    private plain(bytes: Buffer, last: boolean): void {
      if (this.inflater === undefined) this.content.add(bytes);
      else if (this.inflateFailure === undefined) {
        try {
          this.inflater.write(bytes, last, this.toContent);
        } catch (error) {
          if (!(error instanceof Damage) || this.decipher === undefined) throw error;
          this.inflateFailure = error;
        }
      }
    }

    destroy(): void {
      this.cancelled = true;
      this.dropInflater(false);
    }

    private dropInflater(reuse: boolean): void {
      if (this.inflater === undefined || this.inflaterDone) return;
      this.inflaterDone = true;
      if (reuse) this.inflater.give();
      else this.inflater.close();
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
  const done = (id: number, session: Session) => {
    const result = session.finish();
    if (!session.cancelled)
      send({ ...result, id }, result.content === undefined ? [] : [result.content.buffer as ArrayBuffer]);
  };

  /** Reads a file (or its range) in pieces into one reused buffer, feeding the session (see UNPAUSED_READ_BYTES). */
  const readFile = async (id: number, session: Session, file: { path: string; start: number; end?: number }) => {
    const buffer = spare.pop() ?? Buffer.allocUnsafeSlow(READ_BYTES);
    let fd: number | undefined;
    try {
      fd = fs.openSync(file.path, 'r');
      let position = file.start;
      const end = Math.min(file.end === undefined ? Number.POSITIVE_INFINITY : file.end + 1, fs.fstatSync(fd).size);
      let sincePause = 0;
      while (!session.cancelled && position < end) {
        const read = fs.readSync(fd, buffer, 0, Math.min(READ_BYTES, end - position), position);
        if (read === 0) break;
        position += read;
        sincePause += read;
        session.push(buffer.subarray(0, read));
        if (position < end && sincePause >= unpausedReadBytes) {
          sincePause = 0;
          await new Promise((resolve) => setImmediate(resolve));
        }
      }
      if (!session.cancelled) done(id, session);
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
          session.push(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length));
          if (ack) send({ type: 'ack', id, bytes }, [bytes.buffer as ArrayBuffer]);
        } else {
          sessions.delete(id);
          done(id, session);
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
    for (const inflater of [...idleGzip.splice(0), ...idleRaw.splice(0)]) inflater.close();
    setTimeout(() => port.close(), quietMs);
  };

  port.on('message', (message: ToWorker) => {
    if (message.type === 'spare') {
      if (keptSpare.length < KEPT_SPARES) keptSpare.push(Buffer.from(message.bytes.buffer));
      return;
    }
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
            const cancelled = session.cancelled;
            session.destroy();
            if (!cancelled) fail(message.id, error);
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
    unpausedReadBytes: UNPAUSED_READ_BYTES,
    ...overrides,
  };
  return `"use strict";const __name=(f)=>f;(${decodeWorkerMain.toString()})(${JSON.stringify(bounds)},${WORKER_QUIET_MS},${PIECE_BYTES});`;
}
