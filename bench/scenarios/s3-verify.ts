// s3-verify WAL continuity at scale on the local S3 endpoint (its own process): verifyRepository
// against a bare paginated ListObjectsV2 of the same archive prefix (the floor), peak RSS of the
// verifying process, and with 50 ms latency per request against a sequential listing.
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { runProcess } from '@chronos/pgbackrest';
import { createS3Client } from '@chronos/s3-verify';
import { type Comparison, emit, type Figure, interleave, isFull, log, time } from '../lib/measure.js';
import { startRemoteEndpoint } from '../lib/remote-endpoint.js';
import { startBenchStack } from '../lib/stack.js';
import { writeSyntheticWal } from '../lib/synthetic-wal.js';

// `--max-objects=N` leaves out the larger sizes (the 1,000,000 case takes long on a shared machine).
const maxObjects = Number(
  process.argv.find((a) => a.startsWith('--max-objects='))?.split('=')[1] ?? Number.POSITIVE_INFINITY,
);
const sizes = (isFull ? [100_000, 1_000_000] : [10_000]).filter((n) => n <= maxObjects);
const latencySize = isFull ? 100_000 : 10_000;
const here = import.meta.dirname ?? '.';

interface ProbeResult {
  ms: number;
  maxRssMiB: number;
  keys?: number;
  outcome?: string;
  objects?: number;
  findings?: string[];
}
async function probe(name: 'list-floor' | 'verify', args: string[]): Promise<ProbeResult> {
  const result = await runProcess({
    file: process.execPath,
    args: [join(here, '..', 'probes', `${name}.mjs`), ...args],
  });
  const last = result.stdout.trim().split('\n').at(-1) ?? '';
  if (result.exitCode !== 0 || !last.startsWith('{')) {
    throw new Error(`${name} probe failed (${result.exitCode}): ${result.stderr.trim().slice(-2000)}`);
  }
  return JSON.parse(last) as ProbeResult;
}

await using bench = await startBenchStack();
const { stack, endpoint } = bench;
await stack.stop(); // only the repository is needed from here on: leave the CPU to the endpoint
const caFile = join(bench.directory, '..', `chronos-bench-ca-${process.pid}.pem`);
await writeFile(caFile, endpoint.caCert);
const repoPrefix = bench.repoPath.slice(1);
const archiveRoot = `${repoPrefix}/archive/${stack.stanza}/`;
const archivePrefix = `${archiveRoot}15-1`;

const comparisons: Comparison[] = [];
const figures: Figure[] = [];
const notes: string[] = [];

// How to fill the store: parallel PUTs through the S3 API, or files written into s3rver's folder.
{
  const client = createS3Client({
    bucket: endpoint.bucket,
    region: endpoint.region,
    endpoint: endpoint.url,
    tls: { caCert: endpoint.caCert },
    credentials: { accessKeyId: endpoint.accessKeyId, secretAccessKey: endpoint.secretAccessKey },
  });
  const count = 1000;
  let next = 0;
  const put = await time(() =>
    Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < count) {
          const i = next++;
          await client.send(
            new PutObjectCommand({ Bucket: endpoint.bucket, Key: `put-rate/${i}`, Body: 'x'.repeat(100) }),
          );
        }
      }),
    ),
  );
  client.destroy();
  const direct = await time(() =>
    writeSyntheticWal({
      directory: bench.directory,
      bucket: endpoint.bucket,
      archivePrefix: 'direct-rate/15-1',
      first: 0,
      count,
    }),
  );
  figures.push({
    name: 'filling the store: parallel PUT (16 at once)',
    value: Math.round(count / (put.ms / 1000)),
    unit: 'objects/s',
  });
  figures.push({
    name: 'filling the store: files written into s3rver folder',
    value: Math.round(count / (direct.ms / 1000)),
    unit: 'objects/s',
  });
}

let written = 0;
const maxRss: number[] = [];
for (const size of sizes) {
  const synth = await time(() =>
    writeSyntheticWal({
      directory: bench.directory,
      bucket: endpoint.bucket,
      archivePrefix,
      first: 1 + written,
      count: size - written,
    }),
  );
  written = size;
  log(`${size} WAL objects in the store (${Math.round(synth.ms / 1000)} s to write)`);
  let lastVerify: ProbeResult | undefined;
  const rss: number[] = [];
  const floorRss: number[] = [];
  comparisons.push(
    await interleave({
      name: `s3-verify vs bare paginated ListObjectsV2 of archive/<stanza>/, ${size.toLocaleString('en')} WAL objects`,
      rounds: size >= 1_000_000 ? 1 : isFull ? 3 : 2,
      baseline: async () => {
        const floor = await probe('list-floor', [endpoint.url, caFile, endpoint.bucket, archiveRoot]);
        floorRss.push(floor.maxRssMiB);
        return floor.ms;
      },
      subject: async () => {
        lastVerify = await probe('verify', [endpoint.url, caFile, endpoint.bucket, bench.repoPath]);
        rss.push(lastVerify.maxRssMiB);
        return lastVerify.ms;
      },
      target: { max: 1.1 },
      note: 'each run in a fresh process; the endpoint (s3rver over TLS) in another',
    }),
  );
  maxRss.push(...rss);
  const peak = Math.max(...rss);
  figures.push({
    name: `s3-verify peak RSS, ${size.toLocaleString('en')} WAL objects`,
    value: Math.round(peak),
    unit: 'MiB',
    target: '<= 128 MiB',
    pass: peak <= 128,
  });
  figures.push({
    name: `bare listing peak RSS, ${size.toLocaleString('en')} WAL objects`,
    value: Math.round(Math.max(...floorRss)),
    unit: 'MiB',
  });
  notes.push(
    `verify at ${size}: outcome ${lastVerify?.outcome}, objects ${lastVerify?.objects}, findings ${JSON.stringify(lastVerify?.findings)}`,
  );
}

if (written > latencySize) notes.push(`latency case ran on ${written} objects`);
{
  const slow = await startRemoteEndpoint(bench.directory, { latencyMs: 50, bucket: endpoint.bucket });
  const slowCa = `${caFile}.latency`;
  await writeFile(slowCa, slow.caCert);
  try {
    comparisons.push(
      await interleave({
        name: `50 ms per request: s3-verify vs a sequential paginated listing, ${Math.max(written, latencySize).toLocaleString('en')} WAL objects`,
        rounds: isFull ? 3 : 2,
        baseline: async () => (await probe('list-floor', [slow.url, slowCa, endpoint.bucket, archiveRoot])).ms,
        subject: async () => (await probe('verify', [slow.url, slowCa, endpoint.bucket, bench.repoPath])).ms,
        higherIsBetter: true,
        target: { min: 8 },
        note: 'ratio = listing time / s3-verify time (s3-verify lists one prefix per timeline+log id, 12 at once)',
      }),
    );
  } finally {
    await slow.stop();
    await rm(slowCa, { force: true });
  }
}

await rm(caFile, { force: true });
emit({ scenario: 's3-verify', comparisons, figures, notes });
