// s3-verify WAL continuity at scale on the local S3 endpoint (its own process): verifyRepository
// against a bare paginated ListObjectsV2 of the same archive prefix (the floor), peak RSS of the
// verifying process (Node's default heap, and both clients under the same small heap limits), and
// with 50 ms latency per request against a sequential listing, on s3rver and on the virtual
// endpoint (listings computed from names, so the server's own cost does not hide the latency).
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { runProcess } from '@chronos/pgbackrest/testing';
import { createS3Client } from '@chronos/s3-verify';
import { bySize, type Comparison, emit, type Figure, interleave, isFull, isSmoke, log, time } from '../lib/measure.js';
import { startRemoteEndpoint } from '../lib/remote-endpoint.js';
import { startBenchStack } from '../lib/stack.js';
import { writeSyntheticWal } from '../lib/synthetic-wal.js';
import { startVirtualEndpoint } from '../lib/virtual-endpoint.js';

// `--max-objects=N` leaves out the larger sizes (the 1,000,000 case takes long on a shared machine).
const maxObjects = Number(
  process.argv.find((a) => a.startsWith('--max-objects='))?.split('=')[1] ?? Number.POSITIVE_INFINITY,
);
const sizes = bySize({ smoke: [1_000], quick: [10_000], full: [100_000, 1_000_000] }).filter((n) => n <= maxObjects);
const latencySize = bySize({ smoke: 1_000, quick: 10_000, full: 100_000 });
const here = import.meta.dirname ?? '.';
/** Heap limits under which live memory, not V8's lazy collection, decides peak RSS; the same for floor and verifier. */
const SMALL_HEAP = ['--max-old-space-size=64', '--max-semi-space-size=4'];

interface ProbeResult {
  ms: number;
  maxRssMiB: number;
  keys?: number;
  outcome?: string;
  objects?: number;
  findings?: string[];
}
async function probe(name: 'list-floor' | 'verify', args: string[], nodeFlags: string[] = []): Promise<ProbeResult> {
  const result = await runProcess({
    file: process.execPath,
    args: [...nodeFlags, join(here, '..', 'probes', `${name}.mjs`), ...args],
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
  const client = await createS3Client({
    bucket: endpoint.bucket,
    region: endpoint.region,
    endpoint: endpoint.url,
    tls: { caCert: endpoint.caCert },
    credentials: { accessKeyId: endpoint.accessKeyId, secretAccessKey: endpoint.secretAccessKey },
  });
  const count = bySize({ smoke: 100, quick: 1000, full: 1000 });
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
/** s3rver behind 50 ms per request: s3-verify against a sequential listing of what the store holds now. */
async function latencyOnS3rver(objects: number): Promise<Comparison> {
  const slow = await startRemoteEndpoint(bench.directory, { latencyMs: 50, bucket: endpoint.bucket });
  const slowCa = `${caFile}.latency`;
  await writeFile(slowCa, slow.caCert);
  try {
    return await interleave({
      name: `s3rver, 50 ms per request: s3-verify vs a sequential paginated listing, ${objects.toLocaleString('en')} WAL objects`,
      rounds: isFull ? 2 : 1,
      baseline: async () => (await probe('list-floor', [slow.url, slowCa, endpoint.bucket, archiveRoot])).ms,
      subject: async () => (await probe('verify', [slow.url, slowCa, endpoint.bucket, bench.repoPath])).ms,
      higherIsBetter: true,
      note: 'ratio = listing time / s3-verify time; no target here: s3rver spends tens of ms of CPU per page on one thread, which no client concurrency hides',
    });
  } finally {
    await slow.stop();
    await rm(slowCa, { force: true });
  }
}

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
  figures.push({
    name: `s3-verify peak RSS, ${size.toLocaleString('en')} WAL objects, Node's default heap`,
    value: Math.round(Math.max(...rss)),
    unit: 'MiB',
  });
  figures.push({
    name: `bare listing peak RSS, ${size.toLocaleString('en')} WAL objects, Node's default heap`,
    value: Math.round(Math.max(...floorRss)),
    unit: 'MiB',
  });
  if (!isSmoke) {
    const smallFloor = await probe('list-floor', [endpoint.url, caFile, endpoint.bucket, archiveRoot], SMALL_HEAP);
    const smallVerify = await probe('verify', [endpoint.url, caFile, endpoint.bucket, bench.repoPath], SMALL_HEAP);
    figures.push({
      name: `s3-verify peak RSS, ${size.toLocaleString('en')} WAL objects, ${SMALL_HEAP.join(' ')} (outcome ${smallVerify.outcome})`,
      value: Math.round(smallVerify.maxRssMiB),
      unit: 'MiB',
      target: '<= 128 MiB',
      pass: smallVerify.maxRssMiB <= 128 && smallVerify.outcome === lastVerify?.outcome,
    });
    figures.push({
      name: `bare listing peak RSS, ${size.toLocaleString('en')} WAL objects, ${SMALL_HEAP.join(' ')}`,
      value: Math.round(smallFloor.maxRssMiB),
      unit: 'MiB',
    });
  }
  notes.push(
    `verify at ${size}: outcome ${lastVerify?.outcome}, objects ${lastVerify?.objects}, findings ${JSON.stringify(lastVerify?.findings)}`,
  );
  if (size === latencySize && !isSmoke) comparisons.push(await latencyOnS3rver(size));
}

// The latency claim itself, where the server costs next to nothing: the virtual endpoint, 50 ms per request.
{
  const virtual = await startVirtualEndpoint({ segments: latencySize, latencyMs: 50 });
  const instant = await startVirtualEndpoint({ segments: latencySize, latencyMs: 0 }).catch(async (error: unknown) => {
    await virtual.stop();
    throw error;
  });
  try {
    const args = (url: string) => [url, '', 'bench', '/'];
    let lastVirtual: ProbeResult | undefined;
    comparisons.push(
      await interleave({
        name: `virtual endpoint, 50 ms per request: s3-verify vs a sequential paginated listing, ${latencySize.toLocaleString('en')} WAL objects`,
        rounds: isFull ? 3 : 2,
        baseline: async () => (await probe('list-floor', [virtual.url, '', 'bench', virtual.archiveRoot])).ms,
        subject: async () => {
          lastVirtual = await probe('verify', args(virtual.url));
          return lastVirtual.ms;
        },
        higherIsBetter: true,
        target: { min: 8 },
        note: 'ratio = listing time / s3-verify time; s3-verify at its default concurrency (8)',
      }),
    );
    notes.push(`verify on the virtual endpoint: outcome ${lastVirtual?.outcome}, objects ${lastVirtual?.objects}`);
    // The smoke run checks that the virtual endpoint runs; the two comparisons below add nothing to that.
    if (!isSmoke) {
      comparisons.push(
        await interleave({
          name: `virtual endpoint: s3-verify with 50 ms per request vs with none (latency left unhidden), ${latencySize.toLocaleString('en')} WAL objects`,
          rounds: isFull ? 3 : 2,
          baseline: async () => (await probe('verify', args(instant.url))).ms,
          subject: async () => (await probe('verify', args(virtual.url))).ms,
          note: 'a sequential listing would add (pages x 50 ms); what remains is client CPU (the SDK parsing each 1000-key page)',
        }),
      );
      comparisons.push(
        await interleave({
          name: `virtual endpoint, no latency: s3-verify vs bare paginated listing, ${latencySize.toLocaleString('en')} WAL objects`,
          rounds: isFull ? 3 : 2,
          baseline: async () => (await probe('list-floor', [instant.url, '', 'bench', instant.archiveRoot])).ms,
          subject: async () => (await probe('verify', args(instant.url))).ms,
          target: { max: 1.1 },
          note: 'client CPU only: the floor of any verifier that uses the AWS SDK',
        }),
      );
    }
  } finally {
    await virtual.stop();
    await instant.stop();
  }
}

await rm(caFile, { force: true });
emit({ scenario: 's3-verify', comparisons, figures, notes });
