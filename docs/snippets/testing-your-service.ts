import {
  ensureSuccess,
  integrationGate,
  probePgBackRest,
  startNativeStack,
  startS3Endpoint,
} from '@chronos/pgbackrest/testing';
import { verifyRepository } from '@chronos/s3-verify';
import { describe, expect, it } from 'vitest';

// An integration test against real PostgreSQL, real pgBackRest and a local TLS S3 endpoint, all on 127.0.0.1.
// Without pgBackRest on the machine the suite is skipped with the reason; with CI=true it fails instead.
const skip = await integrationGate(await probePgBackRest());

describe.skipIf(skip)(skip ?? 'backups to S3', () => {
  it('leaves a repository that verifies clean', async () => {
    await using s3 = await startS3Endpoint();
    await using stack = await startNativeStack({
      repos: [{ type: 's3', endpoint: s3, path: '/service', encrypted: true, cipherPass: 'throwaway-test-pass' }],
    });
    const pgbackrest = (...args: string[]) => stack.exec('pgbackrest', [`--stanza=${stack.stanza}`, ...args]);
    ensureSuccess('stanza-create', await pgbackrest('stanza-create'));
    ensureSuccess('backup', await pgbackrest('backup', '--type=full'));

    const report = await verifyRepository({
      bucket: s3.bucket,
      region: s3.region,
      endpoint: s3.url,
      tls: { caCert: s3.caCert },
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
      repoPath: '/service',
      cipherPassphrase: { value: 'throwaway-test-pass' },
    });
    expect(report.findings.filter((finding) => finding.severity === 'error')).toEqual([]);
  });
});
