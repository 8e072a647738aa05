import { createServer } from 'node:net';
import { integrationGate, type S3Endpoint, startS3Endpoint } from '@chronos/pgbackrest/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exitCodeFor, summarizeReport, verifyRepository } from '../../src/index.js';
import { verifyOptions } from './repository.js';

const skip = await integrationGate();

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === 'object' && address !== null ? address.port : 1;
}

describe.skipIf(skip)(skip ?? 'access failures against the S3 endpoint', () => {
  let s3: S3Endpoint;

  beforeAll(async () => {
    s3 = await startS3Endpoint({ bucket: 'verify-access' });
  });

  afterAll(async () => {
    await s3?.stop();
  });

  it('an empty repository path has no stanza: could not verify', async () => {
    const report = await verifyRepository(verifyOptions(s3, '/nothing-here'));
    expect(report.access).toEqual({ ok: true });
    expect(report.findings.map((f) => f.code)).toEqual(['stanza-not-found']);
    expect(exitCodeFor(report)).toBe(2);
  });

  it('a refusing endpoint is unreachable', async () => {
    s3.refuse();
    try {
      const report = await verifyRepository(verifyOptions(s3, '/'));
      expect(report.access).toMatchObject({ ok: false, code: 'unreachable' });
      expect(exitCodeFor(report)).toBe(2);
      expect(summarizeReport(report)).toMatch(/^COULD NOT VERIFY/);
    } finally {
      s3.resume();
    }
  });

  it('a closed port is unreachable', async () => {
    const port = await closedPort();
    const report = await verifyRepository(verifyOptions(s3, '/', { endpoint: `https://127.0.0.1:${port}` }));
    expect(report.access).toMatchObject({ ok: false, code: 'unreachable' });
  });

  it('a stalled endpoint times out', async () => {
    s3.pause();
    try {
      const report = await verifyRepository(verifyOptions(s3, '/', { timeoutMs: 1_000 }));
      expect(report.access).toMatchObject({ ok: false, code: 'timeout' });
    } finally {
      s3.resume();
    }
  });

  it('a missing bucket is named as such', async () => {
    const report = await verifyRepository({ ...verifyOptions(s3, '/'), bucket: 'no-such-bucket-here' });
    expect(report.access).toMatchObject({ ok: false, code: 'no-such-bucket' });
    expect(report.access.ok === false && report.access.message).toContain('no-such-bucket-here');
  });

  it('an untrusted certificate is a TLS failure', async () => {
    const report = await verifyRepository({ ...verifyOptions(s3, '/'), tls: {} });
    expect(report.access).toMatchObject({ ok: false, code: 'tls-failure' });
  });

  it('unknown credentials are denied, and the secret never shows', async () => {
    const secret = 'not-a-real-secret-key-123';
    const report = await verifyRepository({
      ...verifyOptions(s3, '/'),
      credentials: { accessKeyId: 'NOBODY', secretAccessKey: secret },
    });
    expect(report.access).toMatchObject({ ok: false, code: 'access-denied' });
    expect(JSON.stringify(report)).not.toContain(secret);
  });
});
