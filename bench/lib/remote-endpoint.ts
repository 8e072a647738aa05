import { join } from 'node:path';
import { runProcess, type S3Endpoint } from '@chronos/pgbackrest/testing';

/** An S3 endpoint served by a child process; same shape as `startS3Endpoint()`'s. */
export interface RemoteEndpoint extends S3Endpoint {
  readonly pid: number | undefined;
}

/**
 * Starts `probes/endpoint.mjs` (s3rver over TLS, optional latency) in its own process on `directory`
 * and resolves once it listens. Fault injection (pause/refuse) is not available across processes.
 */
export async function startRemoteEndpoint(
  directory: string,
  options: { latencyMs?: number; bucket?: string } = {},
): Promise<RemoteEndpoint> {
  const here = import.meta.dirname ?? '.';
  const controller = new AbortController();
  let resolveReady: (line: string) => void = () => {};
  const ready = new Promise<string>((resolve) => {
    resolveReady = resolve;
  });
  const child = runProcess({
    file: process.execPath,
    args: [
      join(here, '..', 'probes', 'endpoint.mjs'),
      directory,
      String(options.latencyMs ?? 0),
      options.bucket ?? 'chronos-bench',
    ],
    signal: controller.signal,
    killGraceMs: 5000,
    onStdoutLine: (line) => {
      if (line.startsWith('{')) resolveReady(line);
    },
  });
  const first = await Promise.race([
    ready,
    child.then((r) => {
      throw new Error(`the S3 endpoint process exited (${r.exitCode}): ${r.stderr.trim()}`);
    }),
  ]);
  const info = JSON.parse(first) as Pick<
    S3Endpoint,
    'port' | 'url' | 'bucket' | 'region' | 'accessKeyId' | 'secretAccessKey' | 'caCert' | 'directory'
  >;
  const stop = async () => {
    controller.abort();
    await child;
  };
  const unsupported = () => {
    throw new Error('fault injection is not available on an endpoint in another process');
  };
  return {
    ...info,
    host: '127.0.0.1',
    pid: undefined,
    repoOptions(index, path = '/') {
      const p = `repo${index}`;
      return {
        [`${p}-type`]: 's3',
        [`${p}-path`]: path,
        [`${p}-s3-bucket`]: info.bucket,
        [`${p}-s3-endpoint`]: '127.0.0.1',
        [`${p}-s3-region`]: info.region,
        [`${p}-s3-uri-style`]: 'path',
        [`${p}-storage-port`]: String(info.port),
        [`${p}-storage-verify-tls`]: 'n',
      };
    },
    repoSecretEnv(index) {
      return {
        [`PGBACKREST_REPO${index}_S3_KEY`]: info.accessKeyId,
        [`PGBACKREST_REPO${index}_S3_KEY_SECRET`]: info.secretAccessKey,
      };
    },
    pause: unsupported,
    resume: unsupported,
    refuse: unsupported,
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
