/// <reference path="./types/codecs.d.ts" />
import { Transform, type TransformCallback } from 'node:stream';
import bitIterator from 'unbzip2-stream/lib/bit_iterator.js';
import bzip2 from 'unbzip2-stream/lib/bzip2.js';
import { CodecError } from './codec-error.js';

const OUTPUT_CHUNK = 64 * 1024;

/**
 * bzip2 decompression (`compress-type=bz2`) as a stream: unbzip2-stream's block decoder (block
 * and stream CRCs checked) driven block by block, holding about one compressed block and 64 KiB
 * of output at a time.
 */
export class Bzip2Decompress extends Transform {
  private readonly queue: Buffer[] = [];
  private received = 0;
  private bitReader: ReturnType<typeof bitIterator> | undefined;
  private blockSize = 0;
  private streamCrc: number | null = null;
  private table: Int32Array | undefined;
  private output = Buffer.allocUnsafe(OUTPUT_CHUNK);
  private used = 0;
  private readonly emitByte = (byte: number) => {
    this.output[this.used++] = byte;
    if (this.used === OUTPUT_CHUNK) {
      this.push(this.output);
      this.output = Buffer.allocUnsafe(OUTPUT_CHUNK);
      this.used = 0;
    }
  };

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.queue.push(chunk);
    this.received += chunk.length;
    this.bitReader ??= bitIterator(() => this.queue.shift());
    // A whole compressed block must be buffered: the decoder reads bits synchronously.
    done(this.decode(() => this.received - this.bits.bytesRead + 1 >= 25_000 + 100_000 * this.blockSize));
  }

  override _flush(done: TransformCallback): void {
    if (this.received === 0) {
      done(new CodecError('bzip2: empty stream'));
      return;
    }
    const failure = this.decode(() => this.received > this.bits.bytesRead);
    if (failure === undefined && (this.streamCrc !== null || this.blockSize !== 0)) {
      done(new CodecError('bzip2: stream ends before its end-of-stream marker'));
      return;
    }
    if (this.used > 0) this.push(this.output.subarray(0, this.used));
    done(failure);
  }

  private get bits(): ReturnType<typeof bitIterator> {
    return this.bitReader!;
  }

  private decode(more: () => boolean): Error | undefined {
    try {
      while (more()) {
        if (this.blockSize === 0) {
          this.blockSize = bzip2.header(this.bits);
          this.table = new Int32Array(100_000 * this.blockSize);
          this.streamCrc = 0;
        } else {
          this.streamCrc = bzip2.decompress(this.bits, this.emitByte, this.table!, this.table!.length, this.streamCrc);
          if (this.streamCrc === null) this.blockSize = 0;
        }
      }
      return undefined;
    } catch (error) {
      return new CodecError(`bzip2: ${(error as Error).message}`, { cause: error });
    }
  }
}
