import { Transform, type TransformCallback } from 'node:stream';
import { Decompress as ZstdStream } from 'fzstd';
import { CodecError } from './codec-error.js';

function codecError(cause: unknown): CodecError {
  return new CodecError((cause as Error).message, { cause });
}

/** Zstandard decompression (`compress-type=zst`; pure JavaScript, as Node 20's zlib has none) as a stream. */
export class ZstdDecompress extends Transform {
  private readonly inner = new ZstdStream((chunk) => {
    this.push(Buffer.from(chunk));
  });

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    try {
      this.inner.push(chunk);
      done();
    } catch (cause) {
      done(codecError(cause));
    }
  }

  override _flush(done: TransformCallback): void {
    try {
      this.inner.push(new Uint8Array(0), true);
      done();
    } catch (cause) {
      done(codecError(cause));
    }
  }
}
