import { createCipheriv, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import { deflateSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { bytesToKey, decryptFile, SALTED_MAGIC } from '../../src/cipher.js';
import { DecodePool } from '../../src/decode-pool.js';
import { inflatesInPlace } from '../../src/decode-worker.js';
import { decodeObject, type StoredEncoding } from '../../src/object-decoder.js';

const PASS = 'pool-test-passphrase';

function encrypt(plain: Buffer, raw: boolean): Buffer {
  const salt = randomBytes(8);
  const { key, iv } = bytesToKey(PASS, salt);
  const cipher = createCipheriv('aes-256-cbc', key, iv);
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat(raw ? [salt, body] : [SALTED_MAGIC, salt, body]);
}

/** True when decrypting `stored` with `passphrase` fails at its padding, as a wrong passphrase nearly always does. */
function paddingFails(stored: Buffer, passphrase: string): boolean {
  try {
    decryptFile(stored, passphrase, 'stored');
    return false;
  } catch {
    return true;
  }
}

function store(content: Buffer, encoding: StoredEncoding): Buffer {
  const packed =
    encoding.compression === 'gz' ? (encoding.raw === true ? deflateSync(content) : gzipSync(content)) : content;
  return encoding.passphrase === undefined ? packed : encrypt(packed, encoding.raw === true);
}

/** Splits bytes into chunks of 64 KiB, as a socket would hand them out. */
const chunked = (bytes: Buffer) =>
  Readable.from(
    Array.from({ length: Math.ceil(bytes.length / 65536) }, (_, i) => bytes.subarray(i * 65536, (i + 1) * 65536)),
  );

/** What a decode ended with, comparable across the two paths. */
async function outcome(run: () => Promise<unknown>): Promise<unknown> {
  try {
    const decoded = (await run()) as { sha1: string; size: number; head: Buffer; storedSha1?: string } | undefined;
    if (decoded === undefined) return 'missing';
    return { ...decoded, head: decoded.head.toString('hex') };
  } catch (error) {
    const { name, message, stage } = error as { name: string; message: string; stage?: string };
    return { name, message, stage };
  }
}

let pool: DecodePool;
/** Lets other messages in every 4 KiB of a local file (as it does within files larger than a WAL segment). */
let piecewise: DecodePool;
let dir: string;
let files = 0;

beforeAll(async () => {
  pool = new DecodePool(2);
  piecewise = new DecodePool(1, { unpausedReadBytes: 4096 });
  dir = await mkdtemp(join(tmpdir(), 'chronos-decode-pool-'));
});
afterAll(async () => {
  await pool?.close();
  await piecewise?.close();
  await rm(dir, { recursive: true, force: true });
});

const contents: Record<string, Buffer> = {
  empty: Buffer.alloc(0),
  small: Buffer.from('pgBackRest stores this relation file as it was backed up.\n'.repeat(20)),
  'large random (streamed)': randomBytes(1536 * 1024 + 17),
  'zeros (small when stored, too large to inflate in one call)': Buffer.alloc(2 * 1024 * 1024),
};
const encodings: Record<string, StoredEncoding> = {
  none: { passphrase: undefined, compression: 'none' },
  gz: { passphrase: undefined, compression: 'gz' },
  'gz, stored bytes hashed': { passphrase: undefined, compression: 'gz', hashStored: true },
  'gz, encrypted': { passphrase: PASS, compression: 'gz' },
  'raw (bundle of a block-incremental backup), encrypted': { passphrase: PASS, compression: 'gz', raw: true },
  'none, encrypted': { passphrase: PASS, compression: 'none' },
};
const damages: Record<string, (stored: Buffer) => Buffer> = {
  intact: (stored) => stored,
  'a flipped byte': (stored) => {
    const copy = Buffer.from(stored);
    if (copy.length > 0) copy[Math.floor(copy.length / 2)]! ^= 0x55;
    return copy;
  },
  'cut to half': (stored) => stored.subarray(0, Math.floor(stored.length / 2)),
  'cut to 10 bytes': (stored) => stored.subarray(0, 10),
  emptied: () => Buffer.alloc(0),
};

describe('decoding in worker threads, against the streamed decoder of the main thread', () => {
  for (const [contentName, content] of Object.entries(contents)) {
    for (const [encodingName, encoding] of Object.entries(encodings)) {
      it(`${contentName}, ${encodingName}: same result for every kind of damage, read here or by the worker (whole or in pieces), streamed or whole`, async () => {
        const intact = store(content, encoding);
        for (const [damageName, damage] of Object.entries(damages)) {
          const stored = damage(intact);
          const path = join(dir, `object-${files++}`);
          await writeFile(path, stored);
          const expected = await outcome(() => decodeObject(chunked(stored), encoding));
          for (const bound of [content.length, Math.floor(content.length / 2), undefined]) {
            const where = `${damageName}, expected size ${bound}`;
            expect(await outcome(() => pool.decodeStream(chunked(stored), encoding, bound)), where).toEqual(expected);
            expect(await outcome(() => pool.decodeFile(path, undefined, encoding, bound)), where).toEqual(expected);
            expect(await outcome(() => piecewise.decodeFile(path, undefined, encoding, bound)), where).toEqual(
              expected,
            );
            expect(await outcome(() => pool.decodeBytes(stored, encoding, bound)), where).toEqual(expected);
          }
          if (damageName === 'intact') expect(expected).toMatchObject({ size: content.length });
        }
      });
    }
  }

  it('reads a range of a file (an object in a bundle), and says when a file does not exist', async () => {
    const encoding: StoredEncoding = { passphrase: PASS, compression: 'gz' };
    const stored = store(contents.small!, encoding);
    const path = join(dir, 'bundle');
    await writeFile(path, Buffer.concat([randomBytes(1000), stored, randomBytes(500)]));
    const range = { start: 1000, end: 1000 + stored.length - 1 };
    const expected = await outcome(() => decodeObject(chunked(stored), encoding));
    for (const reader of [pool, piecewise]) {
      expect(await outcome(() => reader.decodeFile(path, range, encoding, undefined))).toEqual(expected);
      expect(await reader.decodeFile(join(dir, 'no-such-file'), undefined, encoding, undefined)).toBeUndefined();
    }
  });

  it('sends back only the first bytes of each content, not the memory they were cut from (a message per file)', async () => {
    const encoding: StoredEncoding = { passphrase: undefined, compression: 'gz' };
    const path = join(dir, `head-${files++}`);
    await writeFile(path, store(contents.small!, encoding));
    for (const reader of [pool, piecewise]) {
      const decoded = (await reader.decodeFile(path, undefined, encoding, undefined))!;
      expect(decoded.head).toEqual(contents.small!.subarray(0, 64));
      expect(decoded.head.buffer.byteLength).toBe(64);
    }
  });

  it('decodes gz files one after another and at once in one worker, whatever the file before ended with', async () => {
    const gz: StoredEncoding = { passphrase: undefined, compression: 'gz' };
    const raw: StoredEncoding = { passphrase: PASS, compression: 'gz', raw: true };
    const large = contents['large random (streamed)']!;
    const small = contents.small!;
    const file = async (bytes: Buffer) => {
      const path = join(dir, `engine-${files++}`);
      await writeFile(path, bytes);
      return path;
    };
    const stored = store(large, gz);
    const good = await file(store(small, gz));
    const expected = await outcome(() => decodeObject(chunked(store(small, gz)), gz));
    const flipped = Buffer.from(stored);
    flipped[100]! ^= 0x55;
    for (const bad of [stored.subarray(0, stored.length / 2), flipped]) {
      expect(await outcome(async () => piecewise.decodeFile(await file(bad), undefined, gz, undefined))).toMatchObject({
        stage: 'decompress',
      });
      expect(await outcome(() => piecewise.decodeFile(good, undefined, gz, undefined))).toEqual(expected);
    }
    // Cancelled at once: the worker takes the file, reads its first piece, and sees the cancel at the pause after it.
    const controller = new AbortController();
    const long = await file(gzipSync(randomBytes(32 * 1024 * 1024), { level: 1 }));
    const cancelled = piecewise.decodeFile(long, undefined, gz, undefined, controller.signal);
    controller.abort();
    await expect(cancelled).rejects.toMatchObject({ name: 'AbortError' });
    expect(await outcome(() => piecewise.decodeFile(good, undefined, gz, undefined))).toEqual(expected);

    const mix: Array<[Buffer, StoredEncoding]> = [
      [large, gz],
      [small, raw],
      [small, gz],
      [large, raw],
      [large, gz],
    ];
    const together = await Promise.all(
      mix.map(([content, encoding]) =>
        outcome(() => piecewise.decodeStream(chunked(store(content, encoding)), encoding, undefined)),
      ),
    );
    const apart = await Promise.all(
      mix.map(([content, encoding]) => outcome(() => decodeObject(chunked(store(content, encoding)), encoding))),
    );
    expect(together).toEqual(apart);
  });

  it('streams object after object through the same few batches (no fresh batch per object)', async () => {
    const content = randomBytes(1024 * 1024);
    const encoding: StoredEncoding = { passphrase: undefined, compression: 'none' };
    const expected = await outcome(() => decodeObject(chunked(content), encoding));
    const allocations = vi.spyOn(Buffer, 'allocUnsafeSlow');
    try {
      for (let i = 0; i < 40; i++) {
        expect(await outcome(() => piecewise.decodeStream(chunked(content), encoding, content.length))).toEqual(
          expected,
        );
      }
      // A few batches at first, then those moved back by the worker, object after object.
      expect(allocations.mock.calls.length).toBeLessThan(8);
    } finally {
      allocations.mockRestore();
    }
  });

  it('gives the whole content back when asked, whatever size it expected (the newest-instant read)', async () => {
    const encoding: StoredEncoding = { passphrase: PASS, compression: 'gz' };
    for (const [contentName, content] of Object.entries(contents)) {
      const stored = store(content, encoding);
      const path = join(dir, `kept-${files++}`);
      await writeFile(path, stored);
      const plain = await outcome(() => decodeObject(chunked(stored), encoding));
      for (const bound of [content.length, Math.floor(content.length / 3), undefined]) {
        for (const decoded of [
          await pool.decodeFile(path, undefined, encoding, bound, undefined, true),
          await piecewise.decodeFile(path, undefined, encoding, bound, undefined, true),
          await pool.decodeStream(chunked(stored), encoding, bound, undefined, true),
          await pool.decodeBytes(stored, encoding, bound, undefined, true),
        ]) {
          const where = `${contentName}, expected size ${bound}`;
          expect(decoded?.content?.equals(content), where).toBe(true);
          expect(await outcome(async () => ({ ...decoded, content: undefined })), where).toEqual({
            ...(plain as object),
            content: undefined,
          });
        }
      }
    }
  });

  it('takes a kept content back once read, and leaves alone a buffer it did not send', async () => {
    const encoding: StoredEncoding = { passphrase: PASS, compression: 'gz' };
    const first = randomBytes(300 * 1024);
    const second = randomBytes(200 * 1024);
    const path = join(dir, `released-${files++}`);
    await writeFile(path, store(first, encoding));
    const decoded = await piecewise.decodeFile(path, undefined, encoding, first.length, undefined, true);
    expect(decoded?.content?.equals(first)).toBe(true);
    piecewise.release(decoded!.content!);
    expect(decoded!.content!.length).toBe(0);
    for (let round = 0; round < 3; round++) {
      const next = await piecewise.decodeBytes(store(second, encoding), encoding, second.length, undefined, true);
      expect(next.content?.equals(second)).toBe(true);
      piecewise.release(next.content!);
    }
    const foreign = Buffer.from('not from a worker');
    piecewise.release(foreign);
    pool.release(Buffer.concat([foreign, foreign]));
    expect(foreign.toString()).toBe('not from a worker');
  });

  it('a wrong passphrase fails at decrypting (or at inflating when its padding happens to hold), never showing the passphrase, however large the object and however read', async () => {
    const wrong: StoredEncoding = { passphrase: 'another-passphrase', compression: 'gz' };
    // CBC has no authentication: about one salt in 256 makes the wrong key's last block end in valid padding, and
    // then only inflating the garbage fails. One such object is made on purpose.
    let validPadding: Buffer | undefined;
    for (let tries = 0; validPadding === undefined && tries < 10_000; tries++) {
      const candidate = store(contents.small!, { passphrase: PASS, compression: 'gz' });
      if (!paddingFails(candidate, 'another-passphrase')) validPadding = candidate;
    }
    const objects: Array<[Buffer, Buffer]> = [
      [contents.small!, store(contents.small!, { passphrase: PASS, compression: 'gz' })],
      [
        contents['large random (streamed)']!,
        store(contents['large random (streamed)']!, { passphrase: PASS, compression: 'gz' }),
      ],
      [contents.small!, validPadding!],
    ];
    for (const [content, stored] of objects) {
      const stage = paddingFails(stored, 'another-passphrase') ? 'decrypt' : 'decompress';
      const path = join(dir, `wrong-pass-${files++}`);
      await writeFile(path, stored);
      for (const failure of [
        await outcome(() => pool.decodeStream(chunked(stored), wrong, undefined)),
        await outcome(() => pool.decodeFile(path, undefined, wrong, content.length)),
        await outcome(() => piecewise.decodeFile(path, undefined, wrong, content.length)),
        await outcome(() => pool.decodeBytes(stored, wrong, content.length)),
      ]) {
        expect(failure).toMatchObject({ name: 'ObjectDecodeError', stage });
        expect(JSON.stringify(failure)).not.toContain('another-passphrase');
      }
    }
  });

  it('inflates gz in place on this Node, so the workers take gz objects (zst, lz4 and bz2 stay on the main thread)', () => {
    expect(inflatesInPlace()).toBe(true);
    expect(DecodePool.handles({ passphrase: undefined, compression: 'gz' })).toBe(true);
    expect(DecodePool.handles({ passphrase: PASS, compression: 'none' })).toBe(true);
    for (const compression of ['zst', 'lz4', 'bz2']) {
      expect(DecodePool.handles({ passphrase: undefined, compression })).toBe(false);
    }
  });

  it('stops within a second when aborted, and rejects once its workers are closed', async () => {
    const path = join(dir, 'large');
    await writeFile(path, randomBytes(64 * 1024 * 1024));
    const controller = new AbortController();
    const started = performance.now();
    const decoding = pool.decodeFile(
      path,
      undefined,
      { passphrase: undefined, compression: 'none' },
      undefined,
      controller.signal,
    );
    setTimeout(() => controller.abort(), 5);
    await expect(decoding).rejects.toMatchObject({ name: 'AbortError' });
    expect(performance.now() - started).toBeLessThan(1000);
    const other = new DecodePool(1);
    await other.close();
    await expect(
      other.decodeFile(path, undefined, { passphrase: undefined, compression: 'none' }, undefined),
    ).rejects.toThrow(/closed/);
  });

  it('closes while objects decode: every worker ends its own thread (no terminate(), which can abort Node 20), pending decodes reject', async () => {
    const path = join(dir, 'closing');
    await writeFile(path, randomBytes(32 * 1024 * 1024));
    const terminate = vi.spyOn(Worker.prototype, 'terminate');
    try {
      const busy = new DecodePool(2);
      const none = { passphrase: undefined, compression: 'none' } as const;
      const gz = gzipSync(randomBytes(8 * 1024 * 1024));
      const settled = Promise.allSettled([
        busy.decodeFile(path, undefined, none, undefined),
        busy.decodeStream(chunked(gz), { passphrase: undefined, compression: 'gz' }, undefined),
      ]);
      const started = performance.now();
      await busy.close();
      expect(performance.now() - started).toBeLessThan(2000);
      for (const result of await settled) {
        expect(result).toMatchObject({ status: 'rejected', reason: { message: expect.stringMatching(/closed/) } });
      }
      expect(terminate).not.toHaveBeenCalled();
    } finally {
      terminate.mockRestore();
    }
  });
});
