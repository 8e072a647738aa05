// Polling a running backup: `info --detail-level=progress` (pgBackRest 2.56+, reads only the lock files and the
// stanza folders) against full `info` (backup.info, archive.info and a listing of the whole WAL archive), both through
// the client as `chronos backup` polls, on pgBackRest 2.60.0 in a container with an S3 repository holding 20,000 WAL
// objects (the endpoint in its own process).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPgBackRest } from '@chronos/pgbackrest';
import {
  ensureSuccess,
  type PgBackRestStack,
  probeDocker,
  probeImage,
  startContainerStack,
} from '@chronos/pgbackrest/testing';
import { bySize, type Comparison, emit, type Figure, interleave, isFull, log, time } from '../lib/measure.js';
import { startRemoteEndpoint } from '../lib/remote-endpoint.js';
import { writeSyntheticWal } from '../lib/synthetic-wal.js';

// No registry serves testcontainers' reaper image on the machines this bench runs on.
process.env['TESTCONTAINERS_RYUK_DISABLED'] ??= 'true';

const image = 'chronos-pg:18-2.60.0';
const missing = [await probeDocker(), await probeImage(image)].filter((c) => !c.available);
if (missing.length > 0) {
  emit({
    scenario: 'info-progress',
    comparisons: [],
    figures: [],
    notes: [`not run: ${missing.map((c) => c.reason).join('; ')}`],
  });
  process.exit(0);
}

const directory = await mkdtemp(join(tmpdir(), 'chronos-bench-s3-'));
const endpoint = await startRemoteEndpoint(directory);
let stack: PgBackRestStack | undefined;
try {
  stack = await startContainerStack({ image, repos: [{ type: 's3', endpoint, path: '/bench' }] });
  if (stack.transport.kind !== 'container') throw new Error('expected a container stack');
  ensureSuccess('stanza-create', await stack.exec('pgbackrest', [`--stanza=${stack.stanza}`, 'stanza-create']));
  const client = createPgBackRest({
    stanza: stack.stanza,
    config: stack.configPath,
    transport: { kind: 'docker', container: stack.transport.containerName, user: stack.transport.user },
    version: stack.pgBackRestVersion,
  });
  const segments = bySize({ smoke: 100, quick: 20_000, full: 20_000 });
  const archivePrefix = `bench/archive/${stack.stanza}/${stack.pgVersion.split('.')[0]}-1`;
  const synth = await time(() =>
    writeSyntheticWal({ directory, bucket: endpoint.bucket, archivePrefix, first: 1, count: segments }),
  );
  const figures: Figure[] = [
    {
      name: `writing ${segments.toLocaleString('en')} WAL objects into the s3rver store`,
      value: Math.round(synth.ms),
      unit: 'ms',
    },
  ];
  const [full] = await client.info();
  const [progress] = await client.info({ detailLevel: 'progress' });
  log(`full info archive: ${JSON.stringify(full?.archive[0] ?? null)}; progress: ${JSON.stringify(progress?.status)}`);
  const comparison = await interleave({
    name: `client.info({ detailLevel: 'progress' }) vs client.info(), pgBackRest ${stack.pgBackRestVersion}, S3 repository with ${segments.toLocaleString('en')} WAL objects`,
    rounds: isFull ? 15 : 5,
    warmup: 1,
    baseline: async () => (await time(() => client.info())).ms,
    subject: async () => (await time(() => client.info({ detailLevel: 'progress' }))).ms,
    higherIsBetter: true,
    note: 'ratio = full info time / progress-mode time (how many times faster one poll is); both through docker exec, parsed; endpoint (s3rver, TLS) in its own process',
  });
  // The same on an endpoint 50 ms away per request (the order of a cloud region), over the same store.
  const slow = await startRemoteEndpoint(directory, { latencyMs: 50, bucket: endpoint.bucket });
  let slowComparison: Comparison;
  try {
    const slowClient = createPgBackRest({
      stanza: stack.stanza,
      config: stack.configPath,
      transport: { kind: 'docker', container: stack.transport.containerName, user: stack.transport.user },
      version: stack.pgBackRestVersion,
      options: { 'repo1-storage-port': slow.port },
    });
    slowComparison = await interleave({
      name: `the same, 50 ms per request to the S3 endpoint, ${segments.toLocaleString('en')} WAL objects`,
      rounds: isFull ? 15 : 5,
      warmup: 1,
      baseline: async () => (await time(() => slowClient.info())).ms,
      subject: async () => (await time(() => slowClient.info({ detailLevel: 'progress' }))).ms,
      higherIsBetter: true,
      note: 'ratio = full info time / progress-mode time; the relay delays every request and response by 50 ms',
    });
  } finally {
    await slow.stop();
  }
  emit({
    scenario: 'info-progress',
    comparisons: [comparison, slowComparison],
    figures,
    notes: [`archive range seen by full info: ${full?.archive[0]?.min ?? '?'}..${full?.archive[0]?.max ?? '?'}`],
  });
} finally {
  await stack?.stop();
  await endpoint.stop();
  await rm(directory, { recursive: true, force: true });
}
