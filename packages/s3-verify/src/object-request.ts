import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { type Agent, request } from 'node:https';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SignatureV4 } from '@smithy/signature-v4';
import { s3Sdk, signerModule } from './s3-sdk.js';
import type { ByteRange } from './storage.js';

/** Where a GET of one object goes: everything but the key, as the SDK itself resolved it. */
export interface ObjectAddress {
  readonly hostname: string;
  readonly port: number | undefined;
  /** The path before the encoded key: `/<bucket>/` for path style, `/` for virtual-hosted style. */
  readonly pathPrefix: string;
}

/** How object GETs are sent: the client's agent, its socket timeout and how many attempts a request gets. */
export interface ObjectRequestSettings {
  readonly agent: Agent;
  readonly timeoutMs: number;
  readonly maxAttempts: number;
}

/** An error answer of the service, shaped as the SDK shapes one, so one classifier serves both. */
export interface ServiceErrorShape extends Error {
  readonly $metadata: { readonly httpStatusCode: number };
  readonly $response: { readonly headers: IncomingHttpHeaders };
  readonly Region?: string;
}

const PROBE_KEY = 'chronos-address-probe';
const SHAPED = Symbol('request shaped');
const RETRIED_STATUS = new Set([429, 500, 502, 503, 504]);
const RETRIED_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED']);
const MAX_BACKOFF_MS = 20_000;

/**
 * One segment of an S3 key as the SDK encodes it in a path: RFC 3986 unreserved characters kept, everything else
 * percent-encoded (also `!'()*`, which `encodeURIComponent` keeps).
 *
 * @example
 * encodeKey('pg_data/a b(1).gz'); // 'pg_data/a%20b%281%29.gz'
 */
export function encodeKey(key: string): string {
  return key
    .split('/')
    .map((segment) =>
      encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`),
    )
    .join('/');
}

/**
 * The address the SDK would send a GetObject of `bucket` to (endpoint, path or virtual-hosted style), found by
 * letting the client build one request and stopping it before it is signed or sent. `undefined` when the client
 * resolves to something this path cannot address (not HTTPS, an IPv6 literal, or a path that does not end in the key).
 *
 * @example
 * const address = await resolveObjectAddress(client, 'backups');
 */
export async function resolveObjectAddress(client: S3Client, bucket: string): Promise<ObjectAddress | undefined> {
  const { GetObjectCommand } = await s3Sdk();
  const command = new GetObjectCommand({ Bucket: bucket, Key: PROBE_KEY });
  let shaped: { protocol?: string; hostname?: string; port?: number; path?: string } | undefined;
  command.middlewareStack.add(
    () => async (args) => {
      shaped = args.request as typeof shaped;
      throw SHAPED;
    },
    { step: 'build', priority: 'low', name: 'chronosObjectAddress' },
  );
  try {
    await client.send(command);
  } catch (error) {
    if (error !== SHAPED) throw error;
  }
  const path = shaped?.path ?? '';
  const hostname = shaped?.hostname;
  // An IPv6 literal ([::1]) is left to the SDK's own handler, which knows its brackets.
  if (shaped?.protocol !== 'https:' || hostname === undefined || hostname.startsWith('[')) return undefined;
  if (!path.endsWith(`/${PROBE_KEY}`)) return undefined;
  return { hostname, port: shaped.port, pathPrefix: path.slice(0, -PROBE_KEY.length) };
}

function serviceError(status: number, headers: IncomingHttpHeaders, body: string): ServiceErrorShape {
  const tag = (name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(body)?.[1];
  const code = tag('Code') ?? (status === 404 ? 'NotFound' : `HTTP ${status}`);
  const region = tag('Region');
  return Object.assign(new Error(tag('Message') ?? code), {
    name: code,
    $metadata: { httpStatusCode: status },
    $response: { headers },
    ...(region !== undefined ? { Region: region } : {}),
  });
}

function transient(error: unknown): boolean {
  const e = error as { code?: unknown; name?: unknown; message?: unknown; $metadata?: { httpStatusCode?: number } };
  if (e.name === 'TimeoutError') return true;
  if (typeof e.code === 'string' && RETRIED_CODES.has(e.code)) return true;
  if (typeof e.message === 'string' && /socket hang up/i.test(e.message)) return true;
  const status = e.$metadata?.httpStatusCode;
  return status !== undefined && RETRIED_STATUS.has(status);
}

/**
 * GETs of objects sent as plain HTTPS requests, signed with Signature V4 by the SDK's own signer, with the
 * client's credentials, region and agent: the same request the SDK's GetObject makes, without its per-request
 * middleware (a quarter to a half of the CPU per object). An answer other than 2xx rejects with an error shaped as the
 * SDK's (`name` = the service's code, `$metadata.httpStatusCode`); transient failures before the answer
 * (connection reset or refused, timeouts, 429 and 5xx) are tried again with the SDK's backoff, up to `maxAttempts`.
 *
 * @example
 * const requester = new ObjectRequester(client, address, { agent, timeoutMs: 30_000, maxAttempts: 3 });
 * const body = await requester.open('archive/main/archive.info');
 */
export class ObjectRequester {
  private signer: Promise<SignatureV4> | undefined;
  private readonly host: string;

  constructor(
    private readonly client: S3Client,
    private readonly address: ObjectAddress,
    private readonly settings: ObjectRequestSettings,
  ) {
    this.host =
      address.port === undefined || address.port === 443 ? address.hostname : `${address.hostname}:${address.port}`;
  }

  /** The response to a GET of `key` (or `range` of it), once its status is 2xx. */
  async open(key: string, range?: ByteRange, signal?: AbortSignal): Promise<IncomingMessage> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.once(key, range, signal);
      } catch (error) {
        if (signal?.aborted || attempt >= this.settings.maxAttempts || !transient(error)) throw error;
        const backoff = Math.random() * Math.min(MAX_BACKOFF_MS, 100 * 2 ** attempt);
        await sleep(backoff, undefined, signal === undefined ? {} : { signal });
      }
    }
  }

  private async once(key: string, range: ByteRange | undefined, signal: AbortSignal | undefined) {
    const path = `${this.address.pathPrefix}${encodeKey(key)}`;
    this.signer ??= signerModule().then(
      ({ SignatureV4 }) =>
        new SignatureV4({
          service: 's3',
          region: this.client.config.region,
          credentials: this.client.config.credentials,
          sha256: this.client.config.sha256,
          uriEscapePath: false,
          applyChecksum: false,
        }),
    );
    const signed = await (await this.signer).sign({
      method: 'GET',
      protocol: 'https:',
      hostname: this.address.hostname,
      ...(this.address.port !== undefined ? { port: this.address.port } : {}),
      path,
      query: {},
      headers: {
        host: this.host,
        'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
        ...(range !== undefined ? { range: `bytes=${range.start}-${range.end}` } : {}),
      },
    });
    return await new Promise<IncomingMessage>((resolve, reject) => {
      const req = request(
        {
          agent: this.settings.agent,
          method: 'GET',
          host: this.address.hostname,
          ...(this.address.port !== undefined ? { port: this.address.port } : {}),
          path,
          headers: signed.headers,
          ...(signal !== undefined ? { signal } : {}),
        },
        (response) => {
          const status = response.statusCode ?? 0;
          if (status >= 200 && status < 300) {
            resolve(response);
            return;
          }
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', reject);
          response.on('end', () =>
            reject(serviceError(status, response.headers, Buffer.concat(chunks).toString('utf8'))),
          );
        },
      );
      req.setTimeout(this.settings.timeoutMs, () => {
        const error = new Error(`no data for ${this.settings.timeoutMs} ms`);
        error.name = 'TimeoutError';
        req.destroy(error);
      });
      req.on('error', reject);
      req.end();
    });
  }
}

/**
 * The whole body of a response, in one buffer sized from its `content-length` when it has one.
 *
 * @example
 * const bytes = await readBody(await requester.open(key));
 */
export async function readBody(response: Readable & { readonly headers?: IncomingHttpHeaders }): Promise<Buffer> {
  const declared = Number(response.headers?.['content-length'] ?? Number.NaN);
  if (!Number.isSafeInteger(declared) || declared < 0) {
    const chunks: Buffer[] = [];
    for await (const chunk of response) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }
  const body = Buffer.allocUnsafe(declared);
  let used = 0;
  for await (const chunk of response) {
    const piece = chunk as Buffer;
    if (used + piece.length > declared) throw new Error(`the body is longer than its content-length ${declared}`);
    piece.copy(body, used);
    used += piece.length;
  }
  if (used !== declared) throw new Error(`the body ended after ${used} of ${declared} bytes`);
  return body;
}
