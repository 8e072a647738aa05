import { Agent } from 'node:https';
import type { S3Client } from '@aws-sdk/client-s3';
import type { ObjectRequestSettings } from './object-request.js';
import type { VerifyOptions } from './options.js';
import { httpHandlerModule, s3Sdk } from './s3-sdk.js';

const requestSettings = new WeakMap<S3Client, ObjectRequestSettings>();

/**
 * How a client made by {@link createS3Client} sends object GETs of its own (its agent, timeout and attempts);
 * `undefined` for any other client, which is read through the SDK's GetObject.
 *
 * @example
 * const settings = objectRequestSettings(client);
 */
export function objectRequestSettings(client: S3Client): ObjectRequestSettings | undefined {
  return requestSettings.get(client);
}

/**
 * An S3 client for the options: path style for custom endpoints, the extra CA or no certificate
 * check, explicit credentials or the SDK default chain, timeouts and retries. It does not validate the
 * SDK's transfer checksums: verification hashes every object it reads against pgBackRest's own checksums.
 * The AWS SDK is loaded by the first call, not when the library is imported.
 *
 * @example
 * const client = await createS3Client({ bucket: 'b', region: 'ca-central-1', endpoint: 'https://127.0.0.1:9000', tls: { caCert } });
 */
export async function createS3Client(options: VerifyOptions): Promise<S3Client> {
  const [{ S3Client }, { NodeHttpHandler }] = await Promise.all([s3Sdk(), httpHandlerModule()]);
  const timeout = options.timeoutMs ?? 30_000;
  const agent = new Agent({
    keepAlive: true,
    maxSockets: Math.max(4, (options.concurrency ?? 8) + 4),
    ...(options.tls?.caCert !== undefined ? { ca: options.tls.caCert } : {}),
    ...(options.tls?.verify === false ? { rejectUnauthorized: false } : {}),
  });
  const maxAttempts = options.maxAttempts ?? 3;
  const client = new S3Client({
    region: options.region,
    ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
    forcePathStyle: options.forcePathStyle ?? options.endpoint !== undefined,
    ...(options.credentials !== undefined ? { credentials: { ...options.credentials } } : {}),
    maxAttempts,
    followRegionRedirects: false,
    // Every object read is proven by its own SHA-1 (manifest, WAL name, info-file checksum), over TLS: the SDK's
    // transfer checksums (a CRC over every body byte, where the service returns one) would only repeat that.
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestChecksumCalculation: 'WHEN_REQUIRED',
    requestHandler: new NodeHttpHandler({
      httpsAgent: agent,
      connectionTimeout: timeout,
      requestTimeout: timeout,
      throwOnRequestTimeout: true,
    }),
  });
  requestSettings.set(client, { agent, timeoutMs: timeout, maxAttempts });
  return client;
}
