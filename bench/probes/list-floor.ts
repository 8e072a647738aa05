// The floor: a bare, sequential, paginated ListObjectsV2 of one prefix with the same S3 client
// s3-verify builds. Prints wall time of the listing and the peak RSS of this process.
// An empty CA file argument means plain HTTP (the virtual endpoint).
import { readFileSync } from 'node:fs';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { createS3Client } from '@chronos/s3-verify';

const [url = '', caFile = '', bucket = '', prefix = ''] = process.argv.slice(2);
const client = await createS3Client({
  bucket,
  region: 'ca-central-1',
  endpoint: url,
  ...(caFile === '' ? {} : { tls: { caCert: readFileSync(caFile, 'utf8') } }),
  credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
});
const started = performance.now();
let keys = 0;
let pages = 0;
let token: string | undefined;
do {
  const page = await client.send(
    new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ...(token ? { ContinuationToken: token } : {}) }),
  );
  keys += page.KeyCount ?? page.Contents?.length ?? 0;
  pages++;
  token = page.IsTruncated ? page.NextContinuationToken : undefined;
} while (token);
const ms = performance.now() - started;
client.destroy();
process.stdout.write(`${JSON.stringify({ keys, pages, ms, maxRssMiB: process.resourceUsage().maxRSS / 1024 })}\n`);
