import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  integrationGate,
  type PgBackRestStack,
  probePgBackRest,
  type S3Endpoint,
  startS3Endpoint,
} from '@chronos/pgbackrest/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exitCodeFor, summarizeReport, verifyRepository } from '../../src/index.js';
import { pgbackrest, startRepository, verifyOptions } from './repository.js';

const skip = await integrationGate(await probePgBackRest());
const repoPath = '/encrypted-repo';
const cipherPass = `throwaway-${randomBytes(12).toString('hex')}`;

describe.skipIf(skip)(skip ?? 'verifyRepository on an encrypted repository written by pgBackRest 2.45', () => {
  let s3: S3Endpoint;
  let stack: PgBackRestStack;
  let labels: string[];

  beforeAll(async () => {
    s3 = await startS3Endpoint({ bucket: 'verify-encrypted' });
    stack = await startRepository(s3, repoPath, cipherPass);
    labels = (
      JSON.parse(await pgbackrest(stack, 'info', '--output=json')) as Array<{ backup: Array<{ label: string }> }>
    )[0]!.backup.map((b) => b.label);
  }, 600_000);

  afterAll(async () => {
    await stack?.stop();
    await s3?.stop();
  });

  it('decrypts info files and manifests with the passphrase from an environment variable and finds nothing wrong', async () => {
    process.env['S3_VERIFY_TEST_CIPHER_PASS'] = cipherPass;
    try {
      const report = await verifyRepository(
        verifyOptions(s3, repoPath, { cipherPassphrase: { env: 'S3_VERIFY_TEST_CIPHER_PASS' } }),
      );
      expect(report.findings).toEqual([]);
      expect(exitCodeFor(report)).toBe(0);
      const [stanza] = report.stanzas;
      expect(stanza!.encrypted).toBe(true);
      expect(stanza!.backups.map((b) => b.label)).toEqual(labels);
      expect(stanza!.archives[0]!.segmentSize).toEqual({ bytes: 16 * 1024 * 1024, source: 'wal-header' });
      expect(stanza!.encryptionSample.checked).toBeGreaterThan(4);
      expect(stanza!.encryptionSample.salted).toBe(stanza!.encryptionSample.checked);
      const text = JSON.stringify(report) + summarizeReport(report);
      expect(text).not.toContain(cipherPass);
    } finally {
      delete process.env['S3_VERIFY_TEST_CIPHER_PASS'];
    }
  });

  it('reads the passphrase from a file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 's3-verify-'));
    try {
      await writeFile(join(dir, 'pass'), `${cipherPass}\n`, { mode: 0o600 });
      const report = await verifyRepository(
        verifyOptions(s3, repoPath, { cipherPassphrase: { file: join(dir, 'pass') } }),
      );
      expect(report.outcome).toBe('ok');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reports a wrong passphrase as its own finding and exit code 2, without the passphrase', async () => {
    const wrong = `wrong-${randomBytes(8).toString('hex')}`;
    const report = await verifyRepository(verifyOptions(s3, repoPath, { cipherPassphrase: { value: wrong } }));
    expect(report.findings.filter((f) => f.code === 'wrong-passphrase').map((f) => f.where?.key)).toEqual([
      `encrypted-repo/archive/${stack.stanza}/archive.info`,
      `encrypted-repo/backup/${stack.stanza}/backup.info`,
    ]);
    expect(report.outcome).toBe('unverified');
    expect(exitCodeFor(report)).toBe(2);
    expect(JSON.stringify(report) + summarizeReport(report)).not.toContain(wrong);
  });

  it('says the repository is encrypted when no passphrase is given', async () => {
    const report = await verifyRepository(verifyOptions(s3, repoPath));
    expect(report.findings.map((f) => f.code)).toContain('passphrase-missing');
    expect(report.stanzas[0]!.encrypted).toBe(true);
    expect(exitCodeFor(report)).toBe(2);
  });
});
