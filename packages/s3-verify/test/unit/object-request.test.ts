import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { encodeKey, resolveObjectAddress } from '../../src/object-request.js';

const STOP = Symbol('stop');

/** The path the SDK itself builds for a GetObject of `key`, taken before the request is signed or sent. */
async function sdkPath(client: S3Client, bucket: string, key: string): Promise<string> {
  const command = new GetObjectCommand({ Bucket: bucket, Key: key });
  let path = '';
  command.middlewareStack.add(
    () => async (args) => {
      path = (args.request as { path: string }).path;
      throw STOP;
    },
    { step: 'build', priority: 'low', name: 'testPath' },
  );
  await client.send(command).catch((error: unknown) => {
    if (error !== STOP) throw error;
  });
  return path;
}

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'not-a-secret' };
const keys = [
  'archive/main/15-1/0000000100000000/000000010000000000000001-0f4fe1e6a1c2b3d4e5f60718293a4b5c6d7e8f90.gz',
  'backup/main/20261129-020000F/pg_data/base/16384/2619_fsm.gz',
  "backup/main/20261129-020000F/pg_data/my notes (old)/it's here!*.txt",
  'backup/main/20261129-020000F/pg_data/ünïcödé/日本語+plus=eq&amp;~tilde',
  'backup/main/20261129-020000F/pg_data/percent%20literal;semi:colon@at,comma$dollar',
];

describe('the object address and key encoding agree with the SDK', () => {
  for (const [style, client] of [
    [
      'a custom endpoint, path style',
      new S3Client({ region: 'ca-central-1', endpoint: 'https://127.0.0.1:9443', forcePathStyle: true, credentials }),
    ],
    ['AWS, virtual-hosted style', new S3Client({ region: 'ca-central-1', credentials })],
  ] as const) {
    it(`${style}: prefix + encodeKey(key) is the SDK's own path for every key`, async () => {
      const address = await resolveObjectAddress(client, 'chronos-backups');
      expect(address).toBeDefined();
      for (const key of keys) {
        expect(`${address?.pathPrefix}${encodeKey(key)}`).toBe(await sdkPath(client, 'chronos-backups', key));
      }
    });
  }

  it('names the host and port the SDK resolves', async () => {
    const pathStyle = await resolveObjectAddress(
      new S3Client({ region: 'ca-central-1', endpoint: 'https://127.0.0.1:9443', forcePathStyle: true, credentials }),
      'chronos-backups',
    );
    expect(pathStyle).toEqual({ hostname: '127.0.0.1', port: 9443, pathPrefix: '/chronos-backups/' });
    const virtual = await resolveObjectAddress(
      new S3Client({ region: 'ca-central-1', credentials }),
      'chronos-backups',
    );
    expect(virtual).toMatchObject({ hostname: 'chronos-backups.s3.ca-central-1.amazonaws.com', pathPrefix: '/' });
  });

  it('declines an endpoint it cannot address (plain HTTP, an IPv6 literal), so the SDK reads it', async () => {
    const ipv6 = new S3Client({
      region: 'ca-central-1',
      endpoint: 'https://[::1]:9443',
      forcePathStyle: true,
      credentials,
    });
    expect(await sdkPath(ipv6, 'chronos-backups', 'k')).toBe('/chronos-backups/k');
    expect(await resolveObjectAddress(ipv6, 'chronos-backups')).toBeUndefined();
    const plain = new S3Client({
      region: 'ca-central-1',
      endpoint: 'http://127.0.0.1:9000',
      forcePathStyle: true,
      credentials,
    });
    expect(await resolveObjectAddress(plain, 'chronos-backups')).toBeUndefined();
  });
});
