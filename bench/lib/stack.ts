import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureSuccess, type PgBackRestStack, type ProcessResult, startNativeStack } from '@chronos/pgbackrest/testing';
import { log, time } from './measure.js';
import { type RemoteEndpoint, startRemoteEndpoint } from './remote-endpoint.js';

/** A native PostgreSQL + pgBackRest stack whose S3 repository lives on an endpoint in another process. */
export interface BenchStack extends AsyncDisposable {
  readonly stack: PgBackRestStack;
  readonly endpoint: RemoteEndpoint;
  /** s3rver's store folder. */
  readonly directory: string;
  /** Repository path (`repo1-path`). */
  readonly repoPath: string;
  /** The repository's secrets as pgBackRest environment variables. */
  readonly secretEnv: Record<string, string>;
  /** Runs pgBackRest as postgres with this stack's configuration; returns wall time too. */
  pgbackrest(args: readonly string[], options?: { timeout?: number }): Promise<ProcessResult & { ms: number }>;
}

/** Starts the endpoint (own process), PostgreSQL and a stanza on an S3 repository. */
export async function startBenchStack(
  options: { encrypted?: boolean; pgSettings?: Record<string, string>; options?: Record<string, string> } = {},
): Promise<BenchStack> {
  const directory = await mkdtemp(join(tmpdir(), 'chronos-bench-s3-'));
  const endpoint = await startRemoteEndpoint(directory);
  const repoPath = '/bench';
  const cipherPass = options.encrypted ? `bench-${Math.random().toString(36).slice(2)}` : undefined;
  let stack: PgBackRestStack;
  try {
    stack = await startNativeStack({
      repos: [{ type: 's3', endpoint, path: repoPath, ...(cipherPass ? { cipherPass } : {}) }],
      ...(options.pgSettings ? { pgSettings: options.pgSettings } : {}),
      ...(options.options ? { options: options.options } : {}),
    });
  } catch (error) {
    await endpoint.stop();
    await rm(directory, { recursive: true, force: true });
    throw error;
  }
  const secretEnv = {
    ...endpoint.repoSecretEnv(1),
    ...(cipherPass ? { PGBACKREST_REPO1_CIPHER_PASS: cipherPass } : {}),
  };
  const pgbackrest = async (args: readonly string[], opts: { timeout?: number } = {}) => {
    const { ms, value } = await time(() =>
      stack.exec('pgbackrest', [`--stanza=${stack.stanza}`, ...args], opts.timeout ? { timeout: opts.timeout } : {}),
    );
    return { ...value, ms };
  };
  const { ms } = await time(async () => ensureSuccess('stanza-create', await pgbackrest(['stanza-create'])));
  log(
    `stack up: PostgreSQL ${stack.pgVersion}, pgBackRest ${stack.pgBackRestVersion}, stanza-create ${ms.toFixed(0)} ms`,
  );
  const stop = async () => {
    try {
      await stack.stop();
    } finally {
      await endpoint.stop();
      await rm(directory, { recursive: true, force: true });
    }
  };
  return { stack, endpoint, directory, repoPath, secretEnv, pgbackrest, [Symbol.asyncDispose]: stop };
}
