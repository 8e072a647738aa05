import { mkdtemp, rm } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixS3rverListing } from './s3rver-listing.js';
import { type OnStartStep, stopOnce } from './stop-once.js';
import { createSelfSignedCertificate } from './tls-certificate.js';

/** Options for {@link startS3Endpoint}. */
export interface S3EndpointOptions {
  /** Bucket created at start. Default `chronos-test`. */
  readonly bucket?: string;
  /** Region to report to clients. Default `ca-central-1`. */
  readonly region?: string;
  /** Where objects are stored. Default: a new temporary folder, removed on stop. */
  readonly directory?: string;
  /** Port for clients; 0 picks a free one. */
  readonly port?: number;
  /** Delay added to every chunk a client sends, in milliseconds, to imitate a distant S3. */
  readonly latencyMs?: number;
  /**
   * Called as each start-up step begins; a throw aborts the start, and what was already started
   * (s3rver, the relay, the temporary folder) is stopped and removed before it rethrows.
   */
  readonly onStep?: OnStartStep;
}

/** A running S3-compatible endpoint (s3rver over TLS) on 127.0.0.1. */
export interface S3Endpoint extends AsyncDisposable {
  readonly host: '127.0.0.1';
  readonly port: number;
  /** `https://127.0.0.1:<port>` */
  readonly url: string;
  readonly bucket: string;
  readonly region: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** The self-signed certificate clients must trust (PEM). */
  readonly caCert: string;
  /** The folder s3rver stores objects in. */
  readonly directory: string;
  /**
   * Non-secret pgBackRest options for repository `index` on this endpoint.
   *
   * @example
   * endpoint.repoOptions(2, '/chronos') // { 'repo2-type': 's3', 'repo2-s3-bucket': …, … }
   */
  repoOptions(index: number, path?: string): Record<string, string>;
  /** The key pair as pgBackRest environment variables for repository `index` (never argv). */
  repoSecretEnv(index: number): Record<string, string>;
  /** Stops answering: new and open connections stall until {@link S3Endpoint.resume}. */
  pause(): void;
  resume(): void;
  /** Refuses connections (as if the endpoint were down) until {@link S3Endpoint.resume}. */
  refuse(): void;
  stop(): Promise<void>;
}

interface S3rverInstance {
  run(): Promise<{ port: number }>;
  close(): Promise<void>;
}
type S3rverConstructor = new (options: Record<string, unknown>) => S3rverInstance;

async function loadS3rver(): Promise<S3rverConstructor> {
  try {
    const specifier = 's3rver';
    const module = (await import(specifier)) as { default?: S3rverConstructor };
    await fixS3rverListing();
    return (module.default ?? module) as S3rverConstructor;
  } catch (cause) {
    throw new Error('The S3 test endpoint needs the optional peer dependency s3rver 3.x (npm i -D s3rver@^3.7.1)', {
      cause,
    });
  }
}

/**
 * Starts s3rver over TLS on a free 127.0.0.1 port, behind a small TCP relay that can pause,
 * refuse or delay traffic for fault and latency tests.
 *
 * @example
 * await using s3 = await startS3Endpoint({ bucket: 'backups' });
 * console.log(s3.url, s3.repoOptions(1, '/repo'));
 */
export async function startS3Endpoint(options: S3EndpointOptions = {}): Promise<S3Endpoint> {
  const bucket = options.bucket ?? 'chronos-test';
  const region = options.region ?? 'ca-central-1';
  const ownsDirectory = options.directory === undefined;
  const directory = options.directory ?? (await mkdtemp(join(tmpdir(), 'chronos-s3-')));
  let server: S3rverInstance | undefined;
  let relay: Server | undefined;
  const sockets = new Set<Socket>();
  const stop = stopOnce(async () => {
    try {
      for (const socket of sockets) socket.destroy();
      if (relay?.listening) await new Promise<void>((resolve) => relay?.close(() => resolve()));
      await server?.close();
    } finally {
      if (ownsDirectory) await rm(directory, { recursive: true, force: true });
    }
  });
  try {
    await options.onStep?.('directories');
    await options.onStep?.('certificate');
    const { key, cert } = await createSelfSignedCertificate();
    await options.onStep?.('s3rver');
    const S3rver = await loadS3rver();
    server = new S3rver({
      address: '127.0.0.1',
      port: 0,
      key,
      cert,
      silent: true,
      directory,
      vhostBuckets: false,
      configureBuckets: [{ name: bucket }],
    });
    const { port: backendPort } = await server.run();
    await options.onStep?.('relay');

    let mode: 'open' | 'paused' | 'refused' = 'open';
    const stalled: Array<() => void> = [];
    const latency = options.latencyMs ?? 0;

    relay = createServer((client) => {
      if (mode === 'refused') {
        client.destroy();
        return;
      }
      const backend = connect(backendPort, '127.0.0.1');
      sockets.add(client);
      sockets.add(backend);
      // Reads no faster than the other side takes the bytes, and a side that closes cleanly only ends the
      // other one: bytes still on their way (a large body to a slow reader) are delivered, not dropped.
      const forward = (from: Socket, to: Socket, delay: number) => {
        let draining = false;
        from.on('data', (chunk) => {
          const send = () => {
            if (mode === 'paused') stalled.push(send);
            else if (!to.destroyed && !to.write(chunk) && !draining) {
              draining = true;
              from.pause();
              to.once('drain', () => {
                draining = false;
                from.resume();
              });
            }
          };
          if (delay > 0) setTimeout(send, delay);
          else send();
        });
        from.on('end', () => (delay > 0 ? setTimeout(() => to.end(), delay) : to.end()));
        from.on('error', () => to.destroy());
        from.on('close', (hadError) => {
          sockets.delete(from);
          if (hadError) to.destroy();
        });
      };
      forward(client, backend, latency);
      forward(backend, client, 0);
    });
    const listening = relay;
    const port = await new Promise<number>((resolve, reject) => {
      listening.once('error', reject);
      listening.listen(options.port ?? 0, '127.0.0.1', () => {
        const address = listening.address();
        resolve(typeof address === 'object' && address !== null ? address.port : 0);
      });
    });

    return {
      host: '127.0.0.1',
      port,
      url: `https://127.0.0.1:${port}`,
      bucket,
      region,
      accessKeyId: 'S3RVER',
      secretAccessKey: 'S3RVER',
      caCert: cert,
      directory,
      repoOptions(index, path = '/') {
        const p = `repo${index}`;
        return {
          [`${p}-type`]: 's3',
          [`${p}-path`]: path,
          [`${p}-s3-bucket`]: bucket,
          [`${p}-s3-endpoint`]: '127.0.0.1',
          [`${p}-s3-region`]: region,
          [`${p}-s3-uri-style`]: 'path',
          [`${p}-storage-port`]: String(port),
          [`${p}-storage-verify-tls`]: 'n',
        };
      },
      repoSecretEnv(index) {
        return {
          [`PGBACKREST_REPO${index}_S3_KEY`]: 'S3RVER',
          [`PGBACKREST_REPO${index}_S3_KEY_SECRET`]: 'S3RVER',
        };
      },
      pause() {
        mode = 'paused';
      },
      refuse() {
        mode = 'refused';
        for (const socket of sockets) socket.destroy();
      },
      resume() {
        mode = 'open';
        for (const send of stalled.splice(0)) send();
      },
      stop,
      [Symbol.asyncDispose]: stop,
    };
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
}
