import type { AccessErrorCode } from './report.js';

/** Base of the typed errors for a repository (bucket or directory) that cannot be reached or read. */
export class RepositoryAccessError extends Error {
  override readonly name: string = 'RepositoryAccessError';
  constructor(
    readonly code: AccessErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Base of the typed errors for a bucket that cannot be reached or read. */
export class S3AccessError extends RepositoryAccessError {
  override readonly name: string = 'S3AccessError';
}

/** A repository directory (or a file in it) that cannot be read: missing, not a directory, permission denied. */
export class PathAccessError extends RepositoryAccessError {
  override readonly name = 'PathAccessError';
  constructor(
    readonly path: string,
    readonly errno: string,
    options?: ErrorOptions,
  ) {
    super(
      errno === 'ENOENT' || errno === 'ENOTDIR'
        ? 'path-not-found'
        : errno === 'EACCES' || errno === 'EPERM'
          ? 'access-denied'
          : 'request-failed',
      errno === 'ENOENT'
        ? `${path} does not exist: check the repository path (pgBackRest's repo-path)`
        : errno === 'ENOTDIR'
          ? `${path} is not a directory: check the repository path (pgBackRest's repo-path)`
          : errno === 'EACCES' || errno === 'EPERM'
            ? `permission denied reading ${path}: run as a user that can read the repository (pgBackRest's repo owner)`
            : `cannot read ${path} (${errno})`,
      options,
    );
  }
}

/** The bucket does not exist. */
export class NoSuchBucketError extends S3AccessError {
  override readonly name = 'NoSuchBucketError';
  constructor(bucket: string, options?: ErrorOptions) {
    super('no-such-bucket', `bucket "${bucket}" does not exist: check the bucket name and the endpoint`, options);
  }
}

/** The credentials are missing, wrong, or not allowed to list/read the repository. */
export class AccessDeniedError extends S3AccessError {
  override readonly name = 'AccessDeniedError';
  constructor(detail: string, options?: ErrorOptions) {
    super(
      'access-denied',
      `access denied (${detail}): check the credentials and that they may s3:ListBucket and s3:GetObject`,
      options,
    );
  }
}

/** The TLS handshake failed (untrusted or mismatched certificate). */
export class TlsFailureError extends S3AccessError {
  override readonly name = 'TlsFailureError';
  constructor(detail: string, options?: ErrorOptions) {
    super(
      'tls-failure',
      `TLS failed (${detail}): pass the endpoint's CA certificate or, for tests only, verifyTls: false`,
      options,
    );
  }
}

/** The endpoint did not answer in time. */
export class S3TimeoutError extends S3AccessError {
  override readonly name = 'S3TimeoutError';
  constructor(detail: string, options?: ErrorOptions) {
    super('timeout', `the endpoint did not answer in time (${detail}): check the network or raise timeoutMs`, options);
  }
}

/** The bucket lives in another region than the one configured. */
export class WrongRegionError extends S3AccessError {
  override readonly name = 'WrongRegionError';
  constructor(
    configured: string,
    readonly expectedRegion: string | undefined,
    options?: ErrorOptions,
  ) {
    super(
      'wrong-region',
      expectedRegion === undefined
        ? `the bucket is not in region ${configured}: set the bucket's region`
        : `the bucket is in region ${expectedRegion}, not ${configured}: set region to ${expectedRegion}`,
      options,
    );
  }
}

/** Nothing answers at the endpoint (connection refused or reset, unknown host). */
export class EndpointUnreachableError extends S3AccessError {
  override readonly name = 'EndpointUnreachableError';
  constructor(detail: string, options?: ErrorOptions) {
    super('unreachable', `the S3 endpoint is unreachable (${detail}): check the endpoint address and port`, options);
  }
}

/** Any other failed request. */
export class S3RequestError extends S3AccessError {
  override readonly name = 'S3RequestError';
  constructor(detail: string, options?: ErrorOptions) {
    super('request-failed', `an S3 request failed (${detail})`, options);
  }
}

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  Region?: unknown;
  cause?: unknown;
  $metadata?: { httpStatusCode?: unknown };
  $response?: { headers?: Record<string, string | undefined> };
}

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'EPROTO',
  'ERR_SSL_WRONG_VERSION_NUMBER',
]);
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);
const DENIED_NAMES = new Set([
  'AccessDenied',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'Forbidden',
  'ExpiredToken',
]);

function chain(error: unknown): ErrorLike[] {
  const list: ErrorLike[] = [];
  let current: unknown = error;
  while (typeof current === 'object' && current !== null && list.length < 5) {
    list.push(current as ErrorLike);
    current = (current as ErrorLike).cause;
  }
  return list;
}

/**
 * Turns an error from the AWS SDK or Node's network stack into the matching {@link S3AccessError}.
 * Pure: looks only at the error's name, code, status and headers.
 *
 * @example
 * try { await client.send(command) } catch (e) { throw classifyS3Error(e, { bucket, region }) }
 */
export function classifyS3Error(error: unknown, context: { bucket: string; region: string }): S3AccessError {
  if (error instanceof S3AccessError) return error;
  const options = { cause: error };
  for (const e of chain(error)) {
    const name = typeof e.name === 'string' ? e.name : '';
    const code = typeof e.code === 'string' ? e.code : '';
    const message = typeof e.message === 'string' ? e.message : '';
    const status = e.$metadata?.httpStatusCode;
    if (name === 'NoSuchBucket') return new NoSuchBucketError(context.bucket, options);
    if (name === 'PermanentRedirect' || name === 'AuthorizationHeaderMalformed' || status === 301) {
      const header = e.$response?.headers?.['x-amz-bucket-region'];
      const hinted =
        (typeof e.Region === 'string' ? e.Region : undefined) ??
        header ??
        /expecting '([a-z0-9-]+)'/.exec(message)?.[1];
      return new WrongRegionError(context.region, hinted, options);
    }
    if (DENIED_NAMES.has(name) || status === 403) return new AccessDeniedError(name || 'HTTP 403', options);
    if (TLS_CODES.has(code) || /certificate|ssl|tls/i.test(code)) return new TlsFailureError(code, options);
    if (UNREACHABLE_CODES.has(code)) return new EndpointUnreachableError(`${code}: ${message}`, options);
    if (/socket hang up/i.test(message)) return new EndpointUnreachableError('socket hang up', options);
    if (name === 'TimeoutError' || code === 'ETIMEDOUT' || name === 'RequestTimeout' || code === 'RequestTimeout') {
      return new S3TimeoutError(message || code || name, options);
    }
  }
  const first = chain(error)[0];
  const detail = [first?.name, first?.message].filter((x) => typeof x === 'string' && x !== '').join(': ');
  return new S3RequestError(detail || String(error), options);
}
