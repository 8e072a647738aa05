import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server, connect as tcpConnect } from 'node:net';
import { gzipSync } from 'node:zlib';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { integrationGate, type S3Endpoint, startS3Endpoint } from '@chronos/pgbackrest/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BucketReader } from '../../src/bucket.js';
import { DecodePool } from '../../src/decode-pool.js';
import { createS3Client } from '../../src/s3-client.js';
import { decodeStoredObject, ObjectReadError } from '../../src/stored-object.js';
import { faultClient, verifyOptions } from './repository.js';

const skip = await integrationGate();

/**
 * A TCP relay in front of the endpoint (TLS passes through it untouched) that resets a connection once it has
 * carried more than `afterBytes` towards the client, while `resets` is above zero: a body cut off mid-read.
 */
async function startResettingRelay(target: number, afterBytes: number) {
  const state = { resets: 0, resetsLeft: 0 };
  const server: Server = createServer((client) => {
    const upstream = tcpConnect(target, '127.0.0.1');
    let carried = 0;
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.pipe(upstream);
    upstream.on('data', (chunk: Buffer) => {
      carried += chunk.length;
      if (carried > afterBytes && state.resetsLeft > 0) {
        state.resetsLeft--;
        state.resets++;
        upstream.destroy();
        client.resetAndDestroy();
        return;
      }
      if (!client.write(chunk)) upstream.pause();
    });
    client.on('drain', () => upstream.resume());
    upstream.on('end', () => client.end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    port,
    state,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.unref();
      }),
  };
}

describe.skipIf(skip)(skip ?? 'a read cut off by a connection reset', () => {
  let s3: S3Endpoint;
  let relay: Awaited<ReturnType<typeof startResettingRelay>>;
  let reader: BucketReader;
  let pool: DecodePool;
  const content = randomBytes(4 * 1024 * 1024);
  const key = 'retry/000000010000000000000001.gz';

  beforeAll(async () => {
    s3 = await startS3Endpoint({ bucket: 'verify-retry' });
    const client = faultClient(s3);
    await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: gzipSync(content, { level: 1 }) }));
    client.destroy();
    relay = await startResettingRelay(s3.port, 1024 * 1024);
    const options = verifyOptions(s3, '/', { endpoint: `https://127.0.0.1:${relay.port}` });
    reader = new BucketReader(await createS3Client(options), s3.bucket, s3.region);
    pool = new DecodePool(1);
  });

  afterAll(async () => {
    await pool?.close();
    reader?.client.destroy();
    await relay?.stop();
    await s3?.stop();
  });

  for (const where of ['this thread', 'a worker thread'] as const) {
    const decodeIn = () => (where === 'this thread' ? {} : { pool });
    it(`is read again from the first byte and decodes to the original content (decoded in ${where})`, async () => {
      relay.state.resetsLeft = 1;
      relay.state.resets = 0;
      let attempts = 0;
      const decoded = await decodeStoredObject(
        reader,
        key,
        undefined,
        { passphrase: undefined, compression: 'gz' },
        { onAttempt: () => attempts++, retry: { attempts: 3, backoffMs: 10 }, ...decodeIn() },
      );
      expect(relay.state.resets).toBe(1);
      expect(attempts).toBe(2);
      expect(decoded?.size).toBe(content.length);
      expect(decoded?.sha1).toBe(createHash('sha1').update(content).digest('hex'));
    });

    it(`that keeps failing is an ObjectReadError naming the object, after the bounded attempts (decoded in ${where})`, async () => {
      relay.state.resetsLeft = 100;
      relay.state.resets = 0;
      const read = decodeStoredObject(
        reader,
        key,
        undefined,
        { passphrase: undefined, compression: 'gz' },
        { retry: { attempts: 3, backoffMs: 10 }, ...decodeIn() },
      );
      await expect(read).rejects.toBeInstanceOf(ObjectReadError);
      const error = (await read.catch((e: unknown) => e)) as ObjectReadError;
      expect(error).toMatchObject({ key, attempts: 3, code: 'unreachable' });
      expect(error.message).toContain(key);
      expect(relay.state.resets).toBe(3);
    });
  }
});
