// Bare paginated ListObjectsV2 of archive/<stanza>/: the floor verifyRepository is measured against.
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';

const [endpoint = 'http://127.0.0.1:9555', prefix = 'archive/fx/'] = process.argv.slice(2);
const client = new S3Client({
  endpoint,
  region: 'ca-central-1',
  forcePathStyle: true,
  credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
});
const started = performance.now();
let keys = 0;
let token: string | undefined;
do {
  const page = await client.send(
    new ListObjectsV2Command({ Bucket: 'bench', Prefix: prefix, ...(token ? { ContinuationToken: token } : {}) }),
  );
  keys += page.Contents?.length ?? 0;
  token = page.NextContinuationToken;
} while (token);
const ms = performance.now() - started;
console.log(
  JSON.stringify({
    run: 'baseline',
    keys,
    ms: Math.round(ms),
    maxRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
  }),
);
client.destroy();
