import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  decodeContinuationToken,
  encodeContinuationToken,
  type ListingRequest,
  listBucketPage,
} from '../../../src/testing/s3rver-listing.js';

const keys = [
  'archive/st/archive.info',
  'archive/st/15-1/0000000100000000/000000010000000000000001-aa.gz',
  'archive/st/15-1/0000000100000000/000000010000000000000002-bb.gz',
  'archive/st/15-1/0000000100000001/000000010000000100000000-cc.gz',
  'archive/st/15-1/00000002.history',
  'backup/st/backup.info',
];

let bucket: string;
beforeAll(async () => {
  bucket = await mkdtemp(join(tmpdir(), 'chronos-listing-'));
  for (const key of keys) {
    const file = join(bucket, `${key}._S3rver_object`);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, 'x');
    await writeFile(`${file}.md5`, 'x');
  }
});
afterAll(async () => {
  if (bucket) await rm(bucket, { recursive: true, force: true });
});

/** Every page of a listing, following `next` as a client follows continuation tokens. */
async function pages(request: Omit<ListingRequest, 'after' | 'skipPrefix'>) {
  const all = [];
  let position = { after: '', skipPrefix: false };
  for (;;) {
    const page = await listBucketPage(bucket, { ...request, ...position });
    all.push({ keys: page.keys, prefixes: page.prefixes });
    if (!page.truncated) return all;
    position = decodeContinuationToken(encodeContinuationToken(page.next!))!;
  }
}

describe('listBucketPage (the S3 endpoint answers listings itself, not through s3rver)', () => {
  it('lists every key in byte order, pages of maxKeys', async () => {
    const listed = await pages({ prefix: '', delimiter: '', maxKeys: 4 });
    expect(listed.map((p) => p.keys.length)).toEqual([4, 2]);
    expect(listed.flatMap((p) => p.keys)).toEqual([...keys].sort());
  });

  it('rolls up folders below the prefix, a folder of folders included, counted with keys', async () => {
    expect(await pages({ prefix: 'archive/st/', delimiter: '/', maxKeys: 1000 })).toEqual([
      { keys: ['archive/st/archive.info'], prefixes: ['archive/st/15-1/'] },
    ]);
    expect(await pages({ prefix: 'archive/st/15-1/', delimiter: '/', maxKeys: 1 })).toEqual([
      { keys: [], prefixes: ['archive/st/15-1/0000000100000000/'] },
      { keys: [], prefixes: ['archive/st/15-1/0000000100000001/'] },
      { keys: ['archive/st/15-1/00000002.history'], prefixes: [] },
    ]);
  });

  it('refuses tokens it did not make', () => {
    expect(decodeContinuationToken('bm90IGEgdG9rZW4=')).toBeUndefined();
  });
});
