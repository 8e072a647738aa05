declare module 'lz4js' {
  /** Decodes one LZ4 block of `src[sIndex, sIndex + sLength)` into `dst` from `dIndex`; returns the new end of `dst`. */
  export function decompressBlock(
    src: Uint8Array,
    dst: Uint8Array,
    sIndex: number,
    sLength: number,
    dIndex: number,
  ): number;
}

declare module 'unbzip2-stream/lib/bit_iterator.js' {
  /** Reads `n` bits (or aligns to a byte with `null`) from the buffers `next` returns. */
  type BitReader = ((n: number | null) => number) & { bytesRead: number };
  export default function bitIterator(next: () => Uint8Array | undefined): BitReader;
}

declare module 'unbzip2-stream/lib/bzip2.js' {
  type BitReader = ((n: number | null) => number) & { bytesRead: number };
  const bzip2: {
    /** Reads the stream header; returns the block size (1-9, in 100 kB). */
    header(bits: BitReader): number;
    /** Decodes one block into `write`; returns the running stream CRC, or null at the end-of-stream marker. */
    decompress(
      bits: BitReader,
      write: (byte: number) => void,
      table: Int32Array,
      size: number,
      streamCrc: number | null,
    ): number | null;
  };
  export default bzip2;
}
