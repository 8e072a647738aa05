import { createHash, randomBytes } from 'node:crypto';
import { Agent } from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type S3Endpoint, startS3Endpoint } from '../../src/testing/index.js';

let s3: S3Endpoint;
let client: S3Client;

async function listAll(prefix: string, delimiter?: string) {
  const keys: string[] = [];
  const prefixes: string[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListObjectsV2Command({
        Bucket: s3.bucket,
        Prefix: prefix,
        ...(delimiter ? { Delimiter: delimiter } : {}),
        ...(token ? { ContinuationToken: token } : {}),
      }),
    );
    for (const o of page.Contents ?? []) keys.push(o.Key!);
    for (const p of page.CommonPrefixes ?? []) prefixes.push(p.Prefix!);
    token = page.NextContinuationToken;
  } while (token);
  return { keys, prefixes };
}

beforeAll(async () => {
  s3 = await startS3Endpoint({ bucket: 'endpoint-test' });
  client = new S3Client({
    endpoint: s3.url,
    region: s3.region,
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    requestHandler: new NodeHttpHandler({ httpsAgent: new Agent({ ca: s3.caCert }) }),
  });
  const puts: Promise<unknown>[] = [];
  for (let i = 0; i < 1203; i++) {
    const key = `archive/st/15-1/0000000100000000/${i.toString(16).padStart(24, '0')}`;
    puts.push(client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: 'x' })));
    if (puts.length >= 50) await Promise.all(puts.splice(0));
  }
  await Promise.all(puts);
  await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: 'archive/st/archive.info', Body: 'i' }));
  for (const key of [
    'archive/st/15-1/0000000100000001/000000010000000100000000-aa.gz',
    'archive/st/15-1/0000000200000001/000000020000000100000000-bb.gz',
    'archive/st/15-1/00000002.history',
  ]) {
    await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: 'w' }));
  }
}, 120_000);

afterAll(async () => {
  client?.destroy();
  await s3?.stop();
});

describe('S3 test endpoint (patched s3rver over TLS)', () => {
  it('pages through listings of more than 1000 keys with continuation tokens', async () => {
    const { keys } = await listAll('archive/st/15-1/0000000100000000/');
    expect(keys).toHaveLength(1203);
    expect(new Set(keys).size).toBe(1203);
  });

  it('rolls the folders right below the prefix up into common prefixes, as S3 does', async () => {
    expect(await listAll('archive/st/15-1/', '/')).toEqual({
      keys: ['archive/st/15-1/00000002.history'],
      prefixes: [
        'archive/st/15-1/0000000100000000/',
        'archive/st/15-1/0000000100000001/',
        'archive/st/15-1/0000000200000001/',
      ],
    });
    expect(await listAll('archive/st/15-1/00000001', '/')).toEqual({
      keys: [],
      prefixes: ['archive/st/15-1/0000000100000000/', 'archive/st/15-1/0000000100000001/'],
    });
    const after = await client.send(
      new ListObjectsV2Command({
        Bucket: s3.bucket,
        Prefix: 'archive/st/15-1/',
        Delimiter: '/',
        StartAfter: 'archive/st/15-1/0000000100000000/zz',
      }),
    );
    expect((after.CommonPrefixes ?? []).map((p) => p.Prefix)).toEqual([
      'archive/st/15-1/0000000100000001/',
      'archive/st/15-1/0000000200000001/',
    ]);
  });

  it('lists a folder that holds only sub-folders as a common prefix', async () => {
    const { keys, prefixes } = await listAll('archive/st/', '/');
    expect(keys).toEqual(['archive/st/archive.info']);
    expect(prefixes).toEqual(['archive/st/15-1/']);
  });

  it('hands a slow reader the whole body even when s3rver closes the connection first', async () => {
    const body = randomBytes(48 * 1024 * 1024);
    await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: 'big/object', Body: body }));
    // No keep-alive: s3rver closes its side as soon as it has written the response, long before this reader is done.
    const closing = new S3Client({
      endpoint: s3.url,
      region: s3.region,
      forcePathStyle: true,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
      requestHandler: new NodeHttpHandler({ httpsAgent: new Agent({ ca: s3.caCert, keepAlive: false }) }),
    });
    try {
      const object = await closing.send(new GetObjectCommand({ Bucket: s3.bucket, Key: 'big/object' }));
      await sleep(1500);
      const hash = createHash('sha1');
      let size = 0;
      for await (const chunk of object.Body as AsyncIterable<Buffer>) {
        hash.update(chunk);
        size += chunk.length;
      }
      expect(size).toBe(body.length);
      expect(hash.digest('hex')).toBe(createHash('sha1').update(body).digest('hex'));
    } finally {
      closing.destroy();
    }
  }, 60_000);

  it('refuses connections while refused and serves again after resume', async () => {
    s3.refuse();
    await expect(listAll('archive/')).rejects.toThrow();
    s3.resume();
    const { prefixes } = await listAll('archive/', '/');
    expect(prefixes).toEqual(['archive/st/']);
  });
});
