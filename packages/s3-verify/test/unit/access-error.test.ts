import { NoSuchBucket, S3ServiceException } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import {
  AccessDeniedError,
  classifyS3Error,
  EndpointUnreachableError,
  NoSuchBucketError,
  S3RequestError,
  S3TimeoutError,
  TlsFailureError,
  WrongRegionError,
} from '../../src/access-error.js';

const context = { bucket: 'pg-backups', region: 'ca-central-1' };

function serviceError(name: string, status: number, message = name, headers: Record<string, string> = {}) {
  const error = new S3ServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: status }, message });
  Object.assign(error, { $response: { statusCode: status, headers, body: undefined } });
  return error;
}

function networkError(code: string, message: string) {
  return Object.assign(new Error(message), { code });
}

describe('classifyS3Error', () => {
  it('names a missing bucket', () => {
    const error = classifyS3Error(new NoSuchBucket({ $metadata: { httpStatusCode: 404 }, message: 'gone' }), context);
    expect(error).toBeInstanceOf(NoSuchBucketError);
    expect(error.code).toBe('no-such-bucket');
    expect(error.message).toContain('pg-backups');
  });

  it('takes the expected region from a PermanentRedirect header', () => {
    const error = classifyS3Error(
      serviceError('PermanentRedirect', 301, 'use the right endpoint', { 'x-amz-bucket-region': 'us-east-2' }),
      context,
    );
    expect(error).toBeInstanceOf(WrongRegionError);
    expect((error as WrongRegionError).expectedRegion).toBe('us-east-2');
    expect(error.message).toContain('set region to us-east-2');
  });

  it('takes the expected region from an AuthorizationHeaderMalformed message', () => {
    const error = classifyS3Error(
      serviceError(
        'AuthorizationHeaderMalformed',
        400,
        "The authorization header is malformed; the region 'ca-central-1' is wrong; expecting 'eu-west-1'",
      ),
      context,
    );
    expect(error).toBeInstanceOf(WrongRegionError);
    expect((error as WrongRegionError).expectedRegion).toBe('eu-west-1');
  });

  it('sorts denials, TLS, timeouts and unreachable endpoints apart', () => {
    expect(classifyS3Error(serviceError('AccessDenied', 403), context)).toBeInstanceOf(AccessDeniedError);
    expect(classifyS3Error(serviceError('InvalidAccessKeyId', 403), context)).toBeInstanceOf(AccessDeniedError);
    expect(classifyS3Error(networkError('SELF_SIGNED_CERT_IN_CHAIN', 'self-signed'), context)).toBeInstanceOf(
      TlsFailureError,
    );
    expect(classifyS3Error(Object.assign(new Error('timed out'), { name: 'TimeoutError' }), context)).toBeInstanceOf(
      S3TimeoutError,
    );
    expect(classifyS3Error(networkError('ECONNREFUSED', 'refused'), context)).toBeInstanceOf(EndpointUnreachableError);
    expect(
      classifyS3Error(Object.assign(networkError('ECONNRESET', 'disconnected'), { name: 'TimeoutError' }), context),
    ).toBeInstanceOf(EndpointUnreachableError);
    expect(classifyS3Error(new Error('wrapper', { cause: networkError('ENOTFOUND', 'dns') }), context)).toBeInstanceOf(
      EndpointUnreachableError,
    );
    const other = classifyS3Error(serviceError('InternalError', 500), context);
    expect(other).toBeInstanceOf(S3RequestError);
    expect(other.code).toBe('request-failed');
  });
});
