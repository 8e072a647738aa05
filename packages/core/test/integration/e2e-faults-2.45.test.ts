import { Agent } from 'node:https';
import { DeleteObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exitCodeFor, verifyRepository } from '../../../s3-verify/src/index.js';
import type { PgBackRestClient } from '../../src/client/index.js';
import {
  isPgBackRestError,
  PgBackRestCryptoError,
  PgBackRestExitError,
  PgBackRestLockAcquireError,
  PgBackRestPgRunningError,
  PgBackRestTimeoutError,
} from '../../src/errors/index.js';
import type { LogEvent } from '../../src/exec/index.js';
import { previousWalSegment } from '../../src/retention/index.js';
import {
  createStackClient,
  integrationGate,
  isRecoveryTargetNotReachedError,
  type PgBackRestStack,
  probeDocker,
  probeImage,
  RecoveryTargetNotReachedError,
  type S3Endpoint,
  startContainerStack,
  startRestoredCluster,
  startS3Endpoint,
  switchWal,
  writeRows,
} from '../../src/testing/index.js';
import {
  databaseTime,
  E2E_IMAGES,
  scratchDirectory,
  sleep,
  Transcript,
  verifyOptions,
  WAL_SEGMENT_SIZE,
} from './e2e-steps.js';

// Faults run on one image (pgBackRest 2.45) to keep the suite within its time budget.
const { image } = E2E_IMAGES[0];
const docker = await probeDocker();
const skip = await integrationGate(...(docker.available ? [docker, await probeImage(image)] : [docker]));
const cipherPass = `e2e-${Math.random().toString(36).slice(2)}-${Math.random().toString(36).slice(2)}`;

async function failure(work: Promise<unknown>): Promise<unknown> {
  return work.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) => error,
  );
}

describe.skipIf(skip)(skip ?? `faults end in typed errors, nothing lost (${image})`, () => {
  let s3: S3Endpoint;
  let stack: PgBackRestStack;
  let client: PgBackRestClient;
  const transcript = new Transcript();

  /** pgbackrest processes (other than WAL archiving) still running inside the container. */
  async function strayPgBackRest(): Promise<string[]> {
    const ps = await stack.exec('ps', ['-eo', 'pid,args']);
    return ps.stdout.split('\n').filter((l) => /pgbackrest/.test(l) && !/archive-(push|get)/.test(l));
  }

  /** Until the hanging backup holds the stanza's backup lock (its inode in /proc/locks); fails after 15 s. */
  async function waitForBackupLock(): Promise<void> {
    const lock = `/var/lib/chronos/state/lock/${stack.stanza}-backup.lock`;
    const held = ['-c', 'i=$(stat -c %i "$1" 2>/dev/null) && grep -q ":$i " /proc/locks', 'sh', lock];
    for (const deadline = Date.now() + 15_000; ; await sleep(100)) {
      if ((await stack.exec('sh', held)).exitCode === 0) return;
      if (Date.now() > deadline) throw new Error(`the hanging backup never took ${lock}`);
    }
  }

  beforeAll(async () => {
    s3 = await startS3Endpoint({ bucket: 'e2e-faults' });
    stack = await startContainerStack({
      image,
      repos: [{ type: 'posix' }, { type: 's3', endpoint: s3, cipherPass }],
      options: { 'start-fast': 'y', 'compress-type': 'lz4', 'archive-timeout': '60', 'io-timeout': '10' },
    });
    client = createStackClient(stack, { timeout: 180_000, onLog: (e: LogEvent) => transcript.add(e.message) });
    await client.stanzaCreate();
    await writeRows(stack, 1_000);
    for (const repo of [1, 2]) await client.backup({ type: 'full', repo });
  }, 400_000);

  afterAll(async () => {
    s3?.resume();
    await stack?.stop();
    await s3?.stop();
  });

  it('S3 refusing connections during a backup: a typed error; after resume the next backup succeeds and check is clean', async () => {
    s3.refuse();
    const error = await failure(client.backup({ type: 'incr', repo: 2 }));
    s3.resume();
    transcript.add(error);
    expect(error).toBeInstanceOf(PgBackRestExitError);
    expect(isPgBackRestError(error)).toBe(true);
    const before = (await client.info({ repo: 2 }))[0]?.backup.length ?? 0;
    await client.backup({ type: 'incr', repo: 2 });
    await client.check();
    const [after] = await client.info({ repo: 2 });
    expect(after?.status.code).toBe(0);
    expect(after?.backup).toHaveLength(before + 1);
  });

  it('a backup hanging on a paused S3: a concurrent backup gets PgBackRestLockAcquireError, the timeout kills the process tree', async () => {
    s3.pause();
    try {
      const hanging = failure(client.backup({ type: 'incr', repo: 2 }, { timeout: 20_000 }));
      await waitForBackupLock();
      const concurrent = await failure(client.backup({ type: 'incr', repo: 1 }, { timeout: 60_000 }));
      transcript.add(concurrent);
      expect(concurrent).toBeInstanceOf(PgBackRestLockAcquireError);
      const timedOut = await hanging;
      transcript.add(timedOut);
      expect(timedOut).toBeInstanceOf(PgBackRestTimeoutError);
      expect(await strayPgBackRest()).toEqual([]);
    } finally {
      s3.resume();
    }
    await client.check();
  });

  it('a wrong passphrase: PgBackRestCryptoError, and the repository still opens with the right one', async () => {
    const wrong = createStackClient(stack, { options: { 'repo2-cipher-pass': 'not-the-passphrase' } });
    const outcome = await wrong.repoGet(`backup/${stack.stanza}/backup.info`, { repo: 2 }).then(
      (text) => ({ text }),
      (error: unknown) => ({ error }),
    );
    if ('error' in outcome) {
      transcript.add(outcome.error);
      expect(outcome.error).toBeInstanceOf(PgBackRestCryptoError);
    } else {
      // AES-256-CBC with a wrong key ends in valid padding about once in 256 files (the salt is new each run): then
      // pgBackRest prints what it decrypted, which is never the file.
      expect(outcome.text).not.toContain('[backup:current]');
    }
    expect(await client.repoGet(`backup/${stack.stanza}/backup.info`, { repo: 2 })).toContain('[backup:current]');
  });

  it('a restore into the running cluster: PgBackRestPgRunningError, the data directory untouched', async () => {
    const fingerprint = () =>
      stack.exec('sh', [
        '-c',
        'cd "$1" && ls -1 && sha256sum PG_VERSION postgresql.conf postgresql.auto.conf postmaster.pid global/pg_control',
        'sh',
        stack.pg.dataPath,
      ]);
    const before = (await fingerprint()).stdout;
    const rows = await stack.psql('SELECT count(*) FROM chronos_data');
    const error = await failure(client.restore({ type: 'immediate' }));
    transcript.add(error);
    expect(error).toBeInstanceOf(PgBackRestPgRunningError);
    expect((await fingerprint()).stdout).toBe(before);
    expect(await stack.psql('SELECT count(*) FROM chronos_data')).toBe(rows);
  });

  it('a WAL segment deleted from S3: s3-verify names it, and recovery to a later time fails', async () => {
    for (let i = 0; i < 3; i++) {
      await writeRows(stack, 100);
      await switchWal(stack);
    }
    await client.check();
    const target = await databaseTime(stack);
    await writeRows(stack, 100);
    await switchWal(stack);
    await client.check();

    const [info] = await client.info({ repo: 2 });
    const lastStop = info?.backup.at(-1)?.archive.stop as string;
    const s3Client = new S3Client({
      region: s3.region,
      endpoint: s3.url,
      forcePathStyle: true,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
      requestHandler: new NodeHttpHandler({ httpsAgent: new Agent({ ca: s3.caCert }) }),
    });
    const prefix = `${stack.repos[1]!.path.replace(/^\//, '')}/archive/${stack.stanza}/`;
    const listed = await s3Client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: prefix }));
    const segments = (listed.Contents ?? [])
      .map((o) => o.Key as string)
      .filter((k) => /\/[0-9A-F]{24}-[0-9a-f]{40}/.test(k))
      .sort();
    const victim = segments.find((k) => k.slice(k.lastIndexOf('/') + 1, k.lastIndexOf('/') + 25) > lastStop)!;
    const name = victim.slice(victim.lastIndexOf('/') + 1, victim.lastIndexOf('/') + 25);
    expect(segments.indexOf(victim)).toBeLessThan(segments.length - 1);
    await s3Client.send(new DeleteObjectCommand({ Bucket: s3.bucket, Key: victim }));
    s3Client.destroy();

    const report = await verifyRepository(
      verifyOptions(s3, stack.repos[1]!.path, {
        cipherPassphrase: { value: cipherPass },
        stanzas: [stack.stanza],
        gracePeriodSeconds: 0,
      }),
    );
    transcript.add(report);
    const missing = report.findings.filter((f) => f.code === 'wal-missing');
    expect(missing.map((f) => f.where?.segments?.first)).toEqual([name]);
    expect(exitCodeFor(report)).toBe(1);

    expect(await client.archiveGet(name, `/tmp/${name}`, { repo: 2 })).toBe(false);
    const dir = await scratchDirectory(stack, 'restore-gap');
    await client.restore({
      type: 'time',
      target,
      'target-action': 'promote',
      repo: 2,
      'pg1-path': dir,
      'archive-mode': 'off',
    } as never);
    // Recovery replays up to the gap, then PostgreSQL stops: a typed error carrying the log lines.
    const restoring = startRestoredCluster(stack, { dataPath: dir, logPath: `${dir}.log` });
    await expect(restoring).rejects.toBeInstanceOf(RecoveryTargetNotReachedError);
    const error = await failure(restoring);
    const log = (await stack.exec('cat', [`${dir}.log`])).stdout;
    await stack.exec('rm', ['-rf', dir, `${dir}.log`]);
    transcript.add(error);
    expect(isRecoveryTargetNotReachedError(error)).toBe(true);
    expect((error as RecoveryTargetNotReachedError).message).toMatch(
      /recovery ended before configured recovery target was reached/,
    );
    expect(log).toMatch(/recovery ended before configured recovery target was reached/);
    // Replay stopped at the gap: the segment before it came from the repository, the deleted one never did.
    expect(log).toContain(`restored log file "${previousWalSegment(name, WAL_SEGMENT_SIZE)}" from archive`);
    expect(log).not.toContain(`restored log file "${name}"`);
    // The source cluster is unaffected.
    expect(Number(await stack.psql('SELECT count(*) FROM chronos_data'))).toBeGreaterThan(1_000);
  });

  // The argv of every process is checked by secret-leaks.test.ts, under strace.
  it('leaks no secret into any log line, output, error or report', async () => {
    expect(transcript.containing(cipherPass)).toEqual([]);
  });
});
