/// <reference path="./types/codecs.d.ts" />
import { Transform, type TransformCallback } from 'node:stream';
import { decompressBlock } from 'lz4js';
import { CodecError } from './codec-error.js';

const MAGIC = 0x184d2204;
/** Linked blocks may refer back this far into what the blocks before them decoded to. */
const WINDOW = 64 * 1024;
const BLOCK_SIZES: Record<number, number> = { 4: 64 * 1024, 5: 256 * 1024, 6: 1024 * 1024, 7: 4 * 1024 * 1024 };

interface Frame {
  readonly blockMax: number;
  readonly blockChecksum: boolean;
  readonly contentChecksum: boolean;
}

/**
 * LZ4 frame decompression (the format pgBackRest writes with `compress-type=lz4`) as a stream:
 * holds one block (at most 4 MiB) and a 64 KiB window, whatever the size of the file. The frame
 * parsing is ours; each block is decoded by lz4js. Checksums inside the frame are not checked:
 * the caller compares the SHA-1 of the output.
 */
export class Lz4Decompress extends Transform {
  private readonly chunks: Buffer[] = [];
  private buffered = 0;
  private frame: Frame | undefined;
  private frames = 0;
  private window: Uint8Array = new Uint8Array(0);

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    try {
      while (this.step());
      done();
    } catch (error) {
      done(error as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    if (this.frame !== undefined || this.buffered > 0 || this.frames === 0) {
      done(
        new CodecError(
          this.frames === 0 && this.buffered === 0 ? 'empty LZ4 stream' : 'LZ4 stream ends inside a frame',
        ),
      );
      return;
    }
    done();
  }

  /** Consumes one header, block or end mark when enough bytes are buffered; false when more are needed. */
  private step(): boolean {
    if (this.frame === undefined) return this.header();
    if (this.buffered < 4) return false;
    const size = this.peekBytes(4).readUInt32LE(0);
    if (size === 0) {
      const length = 4 + (this.frame.contentChecksum ? 4 : 0);
      if (this.buffered < length) return false;
      this.consume(length);
      this.frame = undefined;
      this.frames++;
      this.window = new Uint8Array(0);
      return true;
    }
    const stored = (size & 0x80000000) !== 0;
    const length = size & 0x7fffffff;
    if (length > this.frame.blockMax)
      throw new CodecError(`LZ4 block of ${length} bytes exceeds the frame's block size`);
    const total = 4 + length + (this.frame.blockChecksum ? 4 : 0);
    if (this.buffered < total) return false;
    const block = this.consume(total).subarray(4, 4 + length);
    let output: Uint8Array;
    if (stored) output = block;
    else {
      const history = this.window.length;
      const target = new Uint8Array(history + this.frame.blockMax);
      target.set(this.window, 0);
      const end = decompressBlock(block, target, 0, length, history);
      if (!(end >= history && end <= target.length)) throw new CodecError('LZ4 block decodes past its block size');
      output = target.subarray(history, end);
      this.window = target.slice(Math.max(0, end - WINDOW), end);
    }
    if (stored) {
      const joined = Buffer.concat([this.window, output]);
      this.window = joined.slice(Math.max(0, joined.length - WINDOW));
    }
    this.push(Buffer.from(output.buffer, output.byteOffset, output.length));
    return true;
  }

  private header(): boolean {
    if (this.buffered < 7) return false;
    const start = this.peekBytes(7);
    if (start.readUInt32LE(0) !== MAGIC) throw new CodecError('not an LZ4 frame (bad magic number)');
    const flags = start[4]!;
    if ((flags & 0xc0) !== 0x40) throw new CodecError(`LZ4 frame version ${(flags >> 6) & 3} is not supported`);
    if ((flags & 0x01) !== 0) throw new CodecError('LZ4 frames with a dictionary are not supported');
    const blockMax = BLOCK_SIZES[(start[5]! >> 4) & 7];
    if (blockMax === undefined) throw new CodecError('LZ4 frame names an invalid block size');
    const length = 7 + ((flags & 0x08) !== 0 ? 8 : 0);
    if (this.buffered < length) return false;
    this.consume(length);
    this.frame = { blockMax, blockChecksum: (flags & 0x10) !== 0, contentChecksum: (flags & 0x04) !== 0 };
    return true;
  }

  private peekBytes(length: number): Buffer {
    if (this.chunks[0]!.length < length) {
      const joined = Buffer.concat(this.chunks);
      this.chunks.length = 0;
      this.chunks.push(joined);
    }
    return this.chunks[0]!.subarray(0, length);
  }

  private consume(length: number): Buffer {
    const head = this.peekBytes(length);
    const first = this.chunks[0]!;
    if (first.length === length) this.chunks.shift();
    else this.chunks[0] = first.subarray(length);
    this.buffered -= length;
    return head;
  }
}
