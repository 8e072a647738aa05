import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { decodeObject, ObjectDecodeError } from '../../src/object-decoder.js';
import { fixture } from './fixtures.js';

// Made by the reference tools (lz4 1.9.4, bzip2 1.0.8) from one 200,017-byte text file.
const ORIGINAL = { size: 200_017, sha1: 'dd117b59bba568dbca0020a2e1a1e79aa6ac50ed' };
const files = [
  ['codecs/words-linked.lz4', 'lz4', '64 KiB linked blocks (pgBackRest writes linked blocks)'],
  ['codecs/words-checksums.lz4', 'lz4', '256 KiB independent blocks, block checksums, content size'],
  ['codecs/words.txt.bz2', 'bz2', 'bzip2 -1'],
] as const;

const inPieces = (bytes: Buffer, size: number) => {
  const pieces: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) pieces.push(bytes.subarray(at, at + size));
  return Readable.from(pieces);
};
const decode = (bytes: Buffer, compression: string, pieceSize = 65_536) =>
  decodeObject(inPieces(bytes, pieceSize), { passphrase: undefined, compression });

describe.each(files)('decoding %s', (file, compression, _what) => {
  it('restores the original bytes whatever the size of the pieces it arrives in', async () => {
    for (const pieceSize of [7, 4096, 1 << 20]) {
      const decoded = await decode(fixture(file), compression, pieceSize);
      expect({ size: decoded.size, sha1: decoded.sha1 }).toEqual(ORIGINAL);
    }
  });

  it('fails at the decompress stage, or decodes to other bytes, when a byte is flipped', async () => {
    const bytes = Buffer.from(fixture(file));
    bytes[Math.floor(bytes.length / 2)] = bytes[Math.floor(bytes.length / 2)]! ^ 0xff;
    const outcome = await decode(bytes, compression).catch((error: unknown) => error);
    if (outcome instanceof ObjectDecodeError) expect(outcome.stage).toBe('decompress');
    else expect((outcome as { sha1: string }).sha1).not.toBe(ORIGINAL.sha1);
  });

  it('fails at the decompress stage when the object is cut short or empty', async () => {
    const bytes = fixture(file);
    await expect(decode(bytes.subarray(0, bytes.length - 20), compression)).rejects.toMatchObject({
      name: 'ObjectDecodeError',
      stage: 'decompress',
    });
    await expect(decode(Buffer.alloc(0), compression)).rejects.toMatchObject({ stage: 'decompress' });
  });

  it('fails at the decompress stage for bytes of another codec', async () => {
    const other = fixture(compression === 'lz4' ? 'codecs/words.txt.bz2' : 'codecs/words-linked.lz4');
    await expect(decode(other, compression)).rejects.toMatchObject({ stage: 'decompress' });
  });
});

describe('an unknown compression', () => {
  it('is a typed error before anything is read', async () => {
    await expect(decode(Buffer.from('x'), 'xz')).rejects.toMatchObject({
      name: 'ObjectDecodeError',
      stage: 'decompress',
      message: 'compression "xz" is not supported',
    });
  });
});
