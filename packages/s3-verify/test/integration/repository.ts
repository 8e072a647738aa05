import { cp, mkdtemp, rm } from 'node:fs/promises';
import { Agent } from 'node:https';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  ensureSuccess,
  type PgBackRestStack,
  type RepoSpec,
  type S3Endpoint,
  startNativeStack,
  switchWal,
  writeRows,
} from '@chronos/pgbackrest/testing';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { VerifyOptions } from '../../src/options.js';

/** Runs `pgbackrest --stanza=<stanza> [args] <command>` in the stack and throws unless it exits 0. */
export async function pgbackrest(stack: PgBackRestStack, command: string, ...args: string[]): Promise<string> {
  const result = await stack.exec('pgbackrest', [`--stanza=${stack.stanza}`, ...args, command], { timeout: 240_000 });
  return ensureSuccess(`pgbackrest ${command}`, result).stdout;
}

/**
 * A PostgreSQL 15 cluster archiving into an S3 repository at `path` with a full and a diff
 * backup, written by the real pgBackRest.
 */
export async function startRepository(s3: S3Endpoint, path: string, cipherPass?: string): Promise<PgBackRestStack> {
  const stack = await startNativeStack({
    repos: [{ type: 's3', endpoint: s3, path, ...(cipherPass === undefined ? {} : { cipherPass }) }],
    options: { 'start-fast': 'y', 'archive-timeout': '120' },
  });
  try {
    await backUpFullAndDiff(stack);
  } catch (error) {
    await stack.stop();
    throw error;
  }
  return stack;
}

/** Creates the stanza and writes a full and a diff backup, rows and WAL between them, then checks the archive. */
export async function backUpFullAndDiff(stack: PgBackRestStack): Promise<void> {
  await pgbackrest(stack, 'stanza-create');
  await writeRows(stack, 2_000);
  await pgbackrest(stack, 'backup', '--type=full');
  await writeRows(stack, 2_000);
  await switchWal(stack);
  await switchWal(stack);
  await pgbackrest(stack, 'backup', '--type=diff');
  await pgbackrest(stack, 'check');
}

/**
 * Stops PostgreSQL, restores the newest backup with --type=immediate --target-action=promote, starts it again: the
 * cluster goes on on timeline 2 and archives its history file. On the host or in a container (the stack's pg_ctl
 * is found from the cluster's PG_VERSION).
 */
export async function restoreAndPromote(stack: PgBackRestStack): Promise<void> {
  const version = ensureSuccess('read PG_VERSION', await stack.exec('cat', [`${stack.pg.dataPath}/PG_VERSION`]));
  const pgCtl = `/usr/lib/postgresql/${version.stdout.trim()}/bin/pg_ctl`;
  ensureSuccess('pg_ctl stop', await stack.exec(pgCtl, ['-D', stack.pg.dataPath, '-m', 'fast', '-w', 'stop']));
  await pgbackrest(stack, 'restore', '--delta', '--type=immediate', '--target-action=promote');
  const log = `${dirname(stack.pg.dataPath)}/postgresql-pitr.log`;
  ensureSuccess(
    'pg_ctl start',
    await stack.exec(pgCtl, ['-D', stack.pg.dataPath, '-l', log, '-w', '-t', '120', 'start'], { timeout: 150_000 }),
  );
  for (let i = 0; (await stack.psql('SELECT pg_is_in_recovery()')).trim() !== 'f'; i++) {
    if (i >= 120) throw new Error(`PostgreSQL still in recovery 60 s after the restore (log: ${log})`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  await writeRows(stack, 100);
  await pgbackrest(stack, 'check');
  await switchWal(stack);
  await pgbackrest(stack, 'check');
}

/** Verify options for the endpoint (trusting its certificate, explicit test credentials). */
export function verifyOptions(s3: S3Endpoint, repoPath: string, extra: Partial<VerifyOptions> = {}): VerifyOptions {
  return {
    bucket: s3.bucket,
    region: s3.region,
    endpoint: s3.url,
    tls: { caCert: s3.caCert },
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    repoPath,
    maxAttempts: 1,
    timeoutMs: 10_000,
    ...extra,
  };
}

/** A plain AWS SDK client for injecting faults into the bucket. */
export function faultClient(s3: S3Endpoint): S3Client {
  return new S3Client({
    endpoint: s3.url,
    region: s3.region,
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    requestHandler: new NodeHttpHandler({ httpsAgent: new Agent({ ca: s3.caCert }) }),
  });
}

/** Keys under `prefix`. */
export async function listKeys(client: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ...(token ? { ContinuationToken: token } : {}) }),
    );
    keys.push(...(page.Contents ?? []).map((o) => o.Key!));
    token = page.NextContinuationToken;
  } while (token);
  return keys;
}

/** Removes `key`, runs `during`, then puts the original bytes back. */
export async function withoutObject<T>(
  client: S3Client,
  bucket: string,
  key: string,
  during: () => Promise<T>,
  replacement?: (bytes: Uint8Array) => Uint8Array,
): Promise<T> {
  const original = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const bytes = await original.Body!.transformToByteArray();
  if (replacement === undefined) await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
  else await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: replacement(bytes) }));
  try {
    return await during();
  } finally {
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: bytes }));
  }
}

/** {@link withoutObject} for several objects at once: each removed or replaced, all put back afterwards. */
export function withoutObjects<T>(
  client: S3Client,
  bucket: string,
  changes: ReadonlyArray<{ readonly key: string; readonly replacement?: (bytes: Uint8Array) => Uint8Array }>,
  during: () => Promise<T>,
): Promise<T> {
  const [first, ...rest] = changes;
  if (first === undefined) return during();
  return withoutObject(
    client,
    bucket,
    first.key,
    () => withoutObjects(client, bucket, rest, during),
    first.replacement,
  );
}

/**
 * A PostgreSQL 15 cluster archiving into the repositories `repos` (posix and/or S3) with a full, a
 * diff and an incr backup in each, written by the real pgBackRest.
 */
export async function startRepositories(
  repos: readonly RepoSpec[],
  options: Readonly<Record<string, string>> = {},
): Promise<PgBackRestStack> {
  const stack = await startNativeStack({
    repos,
    options: { 'start-fast': 'y', 'archive-timeout': '120', ...options },
  });
  try {
    await pgbackrest(stack, 'stanza-create');
    for (const [i, type] of (['full', 'diff', 'incr'] as const).entries()) {
      await writeRows(stack, 2_000);
      if (i > 0) await switchWal(stack);
      for (const repo of repos.keys()) await pgbackrest(stack, 'backup', `--type=${type}`, `--repo=${repo + 1}`);
    }
    await pgbackrest(stack, 'check');
    return stack;
  } catch (error) {
    await stack.stop();
    throw error;
  }
}

/** Copies a posix repository to a new temporary directory: every file gets a new modification time. */
export async function copyRepository(from: string): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'verify-copy-'));
  await cp(from, path, { recursive: true, preserveTimestamps: false, verbatimSymlinks: true });
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}
