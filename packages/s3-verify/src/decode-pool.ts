import type { Readable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import { PathAccessError } from './access-error.js';
import {
  decodeWorkerSource,
  type FromWorker,
  inflatesInPlace,
  type ToWorker,
  type WorkerBounds,
  type WorkerEncoding,
} from './decode-worker.js';
import { type DecodedObject, ObjectDecodeError, type StoredEncoding } from './object-decoder.js';
import type { ByteRange } from './storage.js';

/** Stored bytes are handed to a worker in batches of this size (one copy, then moved, not cloned). */
const BATCH_BYTES = 256 * 1024;
/** A closing worker that has not ended its thread after this long (stuck in a decode) is terminated. */
const CLOSE_TIMEOUT_MS = 5_000;
/** Batches handed to a worker and not yet decoded, per object: bounds memory while keeping the worker busy. */
const BATCHES_IN_FLIGHT = 2;

interface Pending {
  readonly resolve: (value: DecodedObject | undefined) => void;
  readonly reject: (error: unknown) => void;
  /** Set for a file the worker reads: its path, for errors. */
  readonly path?: string;
  /** Called when the worker has decoded a batch. */
  onAck?: () => void;
}

interface Slot {
  readonly worker: Worker;
  readonly pending: Map<number, Pending>;
  /** Batch buffers the worker has given back, for the next batches (fewer large allocations to collect). */
  readonly spare: ArrayBuffer[];
  /** Stopped (crashed or terminated): takes no more objects. */
  dead: boolean;
  /** The thread has ended. */
  readonly exited: Promise<void>;
}

function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

/**
 * Worker threads that decrypt, decompress and hash stored objects, so deep verification uses as many
 * cores as it reads objects at once. They decode gz and uncompressed objects, encrypted or not (what
 * Node decodes natively); {@link DecodePool.handles} says which. A local file is read by the worker
 * itself into one reused buffer; any other object is read here and its bytes moved to the worker.
 * Every object is decoded as its bytes arrive, synchronously, in pieces through one reused output buffer.
 * {@link DecodePool.close} ends every worker; call it on every path.
 *
 * @example
 * const pool = new DecodePool(2);
 * try {
 *   const decoded = await pool.decodeFile('/var/lib/pgbackrest/archive/main/15-1/…gz', undefined, encoding, 16 * 2 ** 20);
 * } finally {
 *   await pool.close();
 * }
 */
export class DecodePool {
  private readonly slots: Slot[] = [];
  private nextId = 1;
  private closed = false;

  /** `bounds` changes how much of a local file a worker reads between pauses (tests pause within small files). */
  constructor(size: number, bounds: Partial<WorkerBounds> = {}) {
    const source = decodeWorkerSource(bounds);
    for (let i = 0; i < Math.max(1, size); i++) {
      const worker = new Worker(source, { eval: true });
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      const slot: Slot = { worker, pending: new Map(), spare: [], dead: false, exited };
      worker.on('message', (message: FromWorker) => this.answer(slot, message));
      worker.on('error', (error) => this.lost(slot, error));
      worker.on('exit', (code) =>
        this.lost(slot, this.closed ? closedError() : new Error(`a decoding worker stopped (exit code ${code})`)),
      );
      this.slots.push(slot);
    }
  }

  /** True when the workers decode this encoding: none, and gz where {@link inflatesInPlace}; encrypted or not. */
  static handles(encoding: StoredEncoding): boolean {
    if (encoding.compression === 'none') return true;
    inPlace ??= inflatesInPlace();
    return encoding.compression === 'gz' && inPlace;
  }

  /**
   * Decodes a local file (or `range` of it) in a worker, which reads it itself; `undefined` when it does not exist.
   * With `keep`, the whole content comes back too ({@link DecodedObject.content}).
   *
   * @example
   * const decoded = await pool.decodeFile(path, undefined, { passphrase: undefined, compression: 'gz' }, 8192);
   */
  decodeFile(
    path: string,
    range: ByteRange | undefined,
    encoding: StoredEncoding,
    expected: number | undefined,
    signal?: AbortSignal,
    keep = false,
  ): Promise<DecodedObject | undefined> {
    return this.session(signal, path, (id, slot) =>
      this.post(slot, {
        type: 'open',
        id,
        encoding: workerEncoding(encoding),
        expected,
        keep,
        file: { path, start: range?.start ?? 0, end: range?.end },
      }),
    );
  }

  /**
   * Decodes a stream of stored bytes in a worker: read here, moved there in batches, at most a few at a time.
   * With `keep`, the whole content comes back too ({@link DecodedObject.content}).
   *
   * @example
   * const decoded = await pool.decodeStream(await storage.stream(key), encoding, 16 * 2 ** 20, signal);
   */
  async decodeStream(
    source: Readable,
    encoding: StoredEncoding,
    expected: number | undefined,
    signal?: AbortSignal,
    keep = false,
  ): Promise<DecodedObject> {
    let feeding: Promise<void> = Promise.resolve();
    const decoded = this.session(signal, undefined, (id, slot, pending) => {
      this.post(slot, { type: 'open', id, encoding: workerEncoding(encoding), expected, keep });
      feeding = this.feed(source, id, slot, pending);
      feeding.catch((error: unknown) => {
        if (slot.pending.get(id) !== pending) return;
        slot.pending.delete(id);
        this.post(slot, { type: 'cancel', id });
        pending.reject(error);
      });
    });
    try {
      return (await decoded)!;
    } finally {
      source.destroy();
      await feeding.catch(() => undefined);
    }
  }

  /**
   * Decodes a whole stored object (a small one, already read) in a worker: one message there, one back.
   * With `keep`, the whole content comes back too ({@link DecodedObject.content}).
   *
   * @example
   * const decoded = await pool.decodeBytes((await storage.get(key))!, encoding, 8192, signal);
   */
  async decodeBytes(
    bytes: Buffer,
    encoding: StoredEncoding,
    expected: number | undefined,
    signal?: AbortSignal,
    keep = false,
  ): Promise<DecodedObject> {
    const decoded = await this.session(signal, undefined, (id, slot) => {
      // Copied, then the copy moved: a small Buffer may share its memory with others (Node's 8 KiB pool), all of
      // which a message would otherwise carry.
      const own = new Uint8Array(bytes);
      this.post(slot, { type: 'open', id, encoding: workerEncoding(encoding), expected, keep, bytes: own }, [
        own.buffer,
      ]);
    });
    return decoded!;
  }

  /**
   * Gives a content this pool sent back ({@link DecodedObject.content}, asked with `keep`) to a worker once it has
   * been read, for the next content kept there. `content` and every view of its memory are empty afterwards.
   *
   * @example
   * const decoded = await pool.decodeFile(path, undefined, encoding, segmentSize, signal, true);
   * const scan = scanWalSegment(decoded!.content!);
   * pool.release(decoded!.content!);
   */
  release(content: Buffer): void {
    const slot = this.slots.find((candidate) => !candidate.dead);
    if (slot === undefined || !kept.has(content.buffer)) return;
    kept.delete(content.buffer);
    this.post(slot, { type: 'spare', bytes: new Uint8Array(content.buffer) }, [content.buffer as ArrayBuffer]);
  }

  /**
   * Ends every worker and waits for their threads; pending decodes reject. Each worker drops its objects
   * and ends its own thread once idle; one still busy after {@link CLOSE_TIMEOUT_MS} is terminated.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.slots.map((slot) => stop(slot)));
    for (const slot of this.slots) this.lost(slot, closedError());
  }

  private session(
    signal: AbortSignal | undefined,
    path: string | undefined,
    start: (id: number, slot: Slot, pending: Pending) => void,
  ): Promise<DecodedObject | undefined> {
    const alive = this.slots.filter((slot) => !slot.dead);
    if (this.closed || alive.length === 0) return Promise.reject(closedError());
    if (signal?.aborted) return Promise.reject(abortError(signal));
    const slot = alive.reduce((least, next) => (next.pending.size < least.pending.size ? next : least));
    const id = this.nextId++;
    return new Promise<DecodedObject | undefined>((resolve, reject) => {
      const onAbort = () => {
        if (slot.pending.get(id) !== pending) return;
        slot.pending.delete(id);
        this.post(slot, { type: 'cancel', id });
        pending.reject(abortError(signal!));
      };
      const pending: Pending = {
        resolve: (value) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(value);
          pending.onAck?.();
        },
        reject: (error) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
          pending.onAck?.();
        },
        ...(path === undefined ? {} : { path }),
      };
      slot.pending.set(id, pending);
      signal?.addEventListener('abort', onAbort, { once: true });
      start(id, slot, pending);
    });
  }

  /** Moves the stream's bytes to the worker in batches, waiting while {@link BATCHES_IN_FLIGHT} are undecoded. */
  private async feed(source: Readable, id: number, slot: Slot, pending: Pending): Promise<void> {
    let inFlight = 0;
    let acked: (() => void) | undefined;
    pending.onAck = () => {
      inFlight--;
      acked?.();
    };
    const fresh = () => {
      const spare = slot.spare.pop();
      return spare === undefined ? Buffer.allocUnsafeSlow(BATCH_BYTES) : Buffer.from(spare);
    };
    // Taken when the first byte of a batch arrives, so none is taken and dropped after the last.
    let batch: Buffer | undefined;
    let used = 0;
    const send = async () => {
      while (inFlight >= BATCHES_IN_FLIGHT) {
        await new Promise<void>((resolve) => {
          acked = resolve;
        });
        if (slot.pending.get(id) !== pending) return;
      }
      inFlight++;
      const bytes = new Uint8Array(batch!.buffer, 0, used);
      this.post(slot, { type: 'data', id, bytes }, [batch!.buffer as ArrayBuffer]);
      batch = undefined;
      used = 0;
    };
    for await (const chunk of source as AsyncIterable<Buffer>) {
      if (slot.pending.get(id) !== pending) return;
      for (let offset = 0; offset < chunk.length; ) {
        batch ??= fresh();
        const copied = chunk.copy(batch, used, offset);
        used += copied;
        offset += copied;
        if (used === BATCH_BYTES) await send();
      }
    }
    if (used > 0) await send();
    if (slot.pending.get(id) === pending) this.post(slot, { type: 'end', id });
  }

  private post(slot: Slot, message: ToWorker, transfer: ArrayBuffer[] = []): void {
    if (!this.closed) slot.worker.postMessage(message, transfer);
  }

  private answer(slot: Slot, message: FromWorker): void {
    const pending = slot.pending.get(message.id);
    if (pending === undefined) return;
    if (message.type === 'ack') {
      if (slot.spare.length < BATCHES_IN_FLIGHT * 2) slot.spare.push(message.bytes.buffer as ArrayBuffer);
      pending.onAck?.();
      return;
    }
    slot.pending.delete(message.id);
    if (message.type === 'done') {
      const head = Buffer.from(message.head.buffer, message.head.byteOffset, message.head.length);
      pending.resolve({
        sha1: message.sha1,
        size: message.size,
        head,
        ...(message.storedSha1 === undefined ? {} : { storedSha1: message.storedSha1 }),
        ...(message.content === undefined ? {} : { content: keptContent(message.content) }),
      });
    } else if (message.kind !== 'fs') pending.reject(new ObjectDecodeError(message.kind, message.message));
    else if (pending.path === undefined) pending.reject(new Error(message.message));
    else if (message.code === 'ENOENT' || message.code === 'ENOTDIR' || message.code === 'EISDIR') {
      pending.resolve(undefined);
    } else
      pending.reject(new PathAccessError(pending.path, message.code ?? 'EIO', { cause: new Error(message.message) }));
  }

  private lost(slot: Slot, error: unknown): void {
    slot.dead = true;
    for (const [id, pending] of slot.pending) {
      slot.pending.delete(id);
      pending.reject(error);
    }
  }
}

let inPlace: boolean | undefined;
/** Buffers of contents a worker moved here whole (their own memory), which {@link DecodePool.release} may move back. */
const kept = new WeakSet<ArrayBufferLike>();

function keptContent(content: Uint8Array): Buffer {
  kept.add(content.buffer);
  return Buffer.from(content.buffer, content.byteOffset, content.length);
}

function closedError(): Error {
  return new Error('the decoding workers were closed');
}

async function stop(slot: Slot): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), CLOSE_TIMEOUT_MS);
  });
  try {
    slot.worker.postMessage({ type: 'close' } satisfies ToWorker);
    if ((await Promise.race([slot.exited, late])) === 'late') await slot.worker.terminate();
  } finally {
    clearTimeout(timer);
  }
}

function workerEncoding(encoding: StoredEncoding): WorkerEncoding {
  if (!DecodePool.handles(encoding)) throw new Error(`the decoding workers cannot decode "${encoding.compression}"`);
  return {
    passphrase: encoding.passphrase,
    compression: encoding.compression as WorkerEncoding['compression'],
    raw: encoding.raw === true,
    hashStored: encoding.hashStored === true,
  };
}
