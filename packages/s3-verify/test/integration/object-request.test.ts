import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { Agent, createServer, type Server } from 'node:https';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  createSelfSignedCertificate,
  integrationGate,
  type S3Endpoint,
  startS3Endpoint,
} from '@chronos/pgbackrest/testing';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AccessDeniedError, NoSuchBucketError, S3TimeoutError } from '../../src/access-error.js';
import { BucketReader } from '../../src/bucket.js';
import { createS3Client } from '../../src/s3-client.js';
import { faultClient, verifyOptions } from './repository.js';

const skip = await integrationGate();

describe.skipIf(skip)(skip ?? 'objects read by signed GETs of their own', () => {
  let s3: S3Endpoint;
  let fault: S3Client;
  const objects = new Map<string, Buffer>([
    ['archive/main/archive.info', randomBytes(300)],
    ['backup/main/20261129-020000F/bundle/1', randomBytes(3 * 1024 * 1024 + 17)],
    ["backup/main/20261129-020000F/pg_data/odd name (1)/it's+here!*~ü.txt", randomBytes(1000)],
    ['backup/main/20261129-020000F/pg_data/empty', Buffer.alloc(0)],
  ]);
  const readers: BucketReader[] = [];
  const reader = async (extra: Parameters<typeof verifyOptions>[2] = {}, bucket = s3.bucket) => {
    const made = new BucketReader(await createS3Client(verifyOptions(s3, '/', extra)), bucket, s3.region);
    readers.push(made);
    return made;
  };

  beforeAll(async () => {
    s3 = await startS3Endpoint({ bucket: 'verify-signed-get' });
    fault = faultClient(s3);
    for (const [key, body] of objects)
      await fault.send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: body }));
  });

  afterAll(async () => {
    for (const made of readers) made.client.destroy();
    fault?.destroy();
    await s3?.stop();
  });

  it("reads every object, whole and in ranges, byte for byte as the SDK's GetObject, without sending through the SDK", async () => {
    const bucket = await reader();
    await bucket.get('archive/main/archive.info');
    const send = vi.spyOn(bucket.client, 'send');
    for (const [key, body] of objects) {
      const sdk = await fault.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }));
      const viaSdk = Buffer.from(await sdk.Body!.transformToByteArray());
      expect(viaSdk.equals(body)).toBe(true);
      expect((await bucket.get(key))?.equals(body)).toBe(true);
      if (body.length > 10) {
        expect(
          (await bucket.get(key, { start: 3, end: body.length - 5 }))?.equals(body.subarray(3, body.length - 4)),
        ).toBe(true);
      }
      const chunks: Buffer[] = [];
      for await (const chunk of (await bucket.stream(key))!) chunks.push(chunk as Buffer);
      expect(Buffer.concat(chunks).equals(body)).toBe(true);
    }
    expect(send).not.toHaveBeenCalled();
  });

  it('a missing object is undefined and a range past the end is empty, as through the SDK', async () => {
    const bucket = await reader();
    expect(await bucket.get('archive/main/no-such-object')).toBeUndefined();
    expect(await bucket.stream('archive/main/no-such-object')).toBeUndefined();
    expect(await bucket.get('archive/main/archive.info', { start: 5000, end: 6000 })).toEqual(Buffer.alloc(0));
  });

  it('an unknown key is AccessDeniedError without the secret, a missing bucket NoSuchBucketError', async () => {
    const secret = 'not-a-real-secret-key-456';
    const denied = await (await reader({ credentials: { accessKeyId: 'NOBODY', secretAccessKey: secret } }))
      .get('archive/main/archive.info')
      .catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(AccessDeniedError);
    expect(String((denied as Error).message)).not.toContain(secret);
    const missing = await (await reader({}, 'no-such-bucket-here'))
      .get('archive/main/archive.info')
      .catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(NoSuchBucketError);
  });

  it('a stalled endpoint is S3TimeoutError after the attempts, and an abort cancels the read', async () => {
    const bucket = await reader({ timeoutMs: 500, maxAttempts: 2 });
    await bucket.get('archive/main/archive.info');
    s3.pause();
    try {
      const started = Date.now();
      await expect(bucket.get('archive/main/archive.info')).rejects.toBeInstanceOf(S3TimeoutError);
      expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
      const controller = new AbortController();
      const aborted = bucket.stream('archive/main/archive.info', undefined, controller.signal).catch((e: unknown) => e);
      setTimeout(() => controller.abort(new Error('stopped by the test')), 100);
      expect(await aborted).toMatchObject({ name: 'AbortError' });
    } finally {
      s3.resume();
    }
  });
});

type SourceData = string | ArrayBuffer | ArrayBufferView;
const bytesOf = (data: SourceData): string | Uint8Array =>
  typeof data === 'string'
    ? data
    : data instanceof ArrayBuffer
      ? new Uint8Array(data)
      : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);

/** SHA-256 and HMAC-SHA-256 in the shape the SDK's signer takes. */
class Sha256 {
  private readonly hash;
  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytesOf(secret));
  }
  update(data: SourceData): void {
    this.hash.update(bytesOf(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

interface Received {
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
}

/**
 * Whether a request as it arrived carries a valid Signature V4 for `secret`, checked as S3 checks it: the request
 * is signed again by AWS's own signer from what was received (raw path, the headers it names as signed, the date
 * it gives) and the two signatures compared. s3rver does not check Signature V4, so this is the check of record.
 */
async function signatureHolds(received: Received, secret: string): Promise<boolean> {
  const auth = String(received.headers.authorization ?? '');
  const parts =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=[0-9a-f]{64}$/.exec(
      auth,
    );
  if (parts === null) return false;
  const [, accessKeyId = '', region = '', service = '', names = ''] = parts;
  const headers = Object.fromEntries(names.split(';').map((name) => [name, String(received.headers[name] ?? '')]));
  const stamp = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(headers['x-amz-date'] ?? '');
  if (stamp === null) return false;
  const [, y, mo, d, h, mi, se] = stamp.map(Number) as number[];
  const [path = '', search = ''] = received.url.split('?');
  const query = Object.fromEntries(new URLSearchParams(search));
  const signer = new SignatureV4({
    service,
    region,
    credentials: { accessKeyId, secretAccessKey: secret },
    sha256: Sha256,
    uriEscapePath: false,
    applyChecksum: false,
  });
  const again = await signer.sign(
    { method: 'GET', protocol: 'https:', hostname: headers.host ?? '', path, query, headers },
    { signingDate: new Date(Date.UTC(y ?? 0, (mo ?? 1) - 1, d, h, mi, se)) },
  );
  return again.headers.authorization === auth;
}

describe.skipIf(skip)(skip ?? 'the signed GETs on the wire', () => {
  let server: Server;
  let port = 0;
  let caCert = '';
  const received: Received[] = [];
  const credentials = { accessKeyId: 'CHRONOSKEY', secretAccessKey: 'chronos-test-secret-789' };
  const clients: S3Client[] = [];

  beforeAll(async () => {
    const { key, cert } = await createSelfSignedCertificate();
    caCert = cert;
    server = createServer({ key, cert }, (req, res) => {
      received.push({ url: req.url ?? '', headers: req.headers });
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': '2' }).end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    port = typeof address === 'object' && address !== null ? address.port : 0;
  });

  afterAll(async () => {
    for (const client of clients) client.destroy();
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  });

  const options = () => ({
    bucket: 'chronos-signed',
    region: 'ca-central-1',
    endpoint: `https://127.0.0.1:${port}`,
    tls: { caCert },
    credentials,
    maxAttempts: 1,
  });

  it("the SDK's own GetObject passes the check, and a request checked with another secret fails it", async () => {
    received.length = 0;
    const sdk = new S3Client({
      region: 'ca-central-1',
      endpoint: `https://127.0.0.1:${port}`,
      forcePathStyle: true,
      credentials,
      requestHandler: new NodeHttpHandler({ httpsAgent: new Agent({ ca: caCert }) }),
    });
    clients.push(sdk);
    await sdk.send(new GetObjectCommand({ Bucket: 'chronos-signed', Key: "pg_data/odd name (1)/it's+here!*~ü.txt" }));
    expect(received).toHaveLength(1);
    expect(await signatureHolds(received[0]!, credentials.secretAccessKey)).toBe(true);
    expect(await signatureHolds(received[0]!, 'another-secret')).toBe(false);
  });

  it('every GET of an object, whole or ranged, carries a valid Signature V4 for its path and headers', async () => {
    received.length = 0;
    const client = await createS3Client(options());
    clients.push(client);
    const bucket = new BucketReader(client, 'chronos-signed', 'ca-central-1');
    const keys = [
      'archive/main/archive.info',
      "backup/main/20261129-020000F/pg_data/odd name (1)/it's+here!*~ü.txt",
      'backup/main/20261129-020000F/pg_data/ünïcödé/日本語+plus=eq&amp;%percent',
    ];
    for (const key of keys) {
      expect(String(await bucket.get(key))).toBe('ok');
      await bucket.get(key, { start: 0, end: 1 });
    }
    expect(received).toHaveLength(keys.length * 2);
    expect(received.filter((r) => r.headers.range === 'bytes=0-1')).toHaveLength(keys.length);
    for (const request of received) {
      expect(request.headers.authorization).toContain('/ca-central-1/s3/aws4_request');
      expect(await signatureHolds(request, credentials.secretAccessKey)).toBe(true);
    }
  });
});
